/**
 * `bytes.decode(encoding)` as Python does it, including the wording of
 * `UnicodeDecodeError` ("'utf-8' codec can't decode byte 0xff in position 7:
 * invalid start byte"), which becomes the summary of the ValidationError.
 *
 * UTF-8 goes through the native `TextDecoder` (fatal, BOM kept: Python's
 * utf-8 codec keeps it and json.loads then complains); only a failure runs
 * the byte scanner below to find Python's error range and reason.
 */

/** Python's `UnicodeDecodeError`; `message` is its `str()`. */
export class PyUnicodeDecodeError extends Error {
  override name = "PyUnicodeDecodeError";
}

/** Python raises `LookupError` for a codec it doesn't know. */
export class PyLookupError extends Error {
  override name = "PyLookupError";
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Codec names as Python's `encodings` normalises and aliases them. */
const ALIASES: Record<string, "utf_8" | "utf_8_sig" | "ascii" | "latin_1" | "utf_16" | "utf_16_le" | "utf_16_be"> = {
  utf_8: "utf_8", utf8: "utf_8", u8: "utf_8", utf: "utf_8", utf8_ucs2: "utf_8", utf8_ucs4: "utf_8", cp65001: "utf_8",
  utf_8_sig: "utf_8_sig",
  ascii: "ascii", us_ascii: "ascii", "646": "ascii", us: "ascii", cp367: "ascii", csascii: "ascii", ibm367: "ascii",
  iso646_us: "ascii", iso_ir_6: "ascii", "ansi_x3.4_1968": "ascii", ansi_x3_4_1968: "ascii", "ansi_x3.4_1986": "ascii",
  latin_1: "latin_1", latin1: "latin_1", latin: "latin_1", l1: "latin_1", iso8859_1: "latin_1", iso_8859_1: "latin_1",
  "8859": "latin_1", cp819: "latin_1", csisolatin1: "latin_1", ibm819: "latin_1", iso8859: "latin_1",
  iso_8859_1_1987: "latin_1", iso_ir_100: "latin_1",
  utf_16: "utf_16", utf16: "utf_16", u16: "utf_16",
  utf_16_le: "utf_16_le", utf_16le: "utf_16_le", unicodelittleunmarked: "utf_16_le",
  utf_16_be: "utf_16_be", utf_16be: "utf_16_be", unicodebigunmarked: "utf_16_be",
};

function normalise(encoding: string): string {
  return encoding.toLowerCase().replace(/[^a-z0-9.]+/g, "_").replace(/^_+|_+$/g, "");
}

/**
 * Decode `bytes` with the AMQP `content_encoding`. Supports Python's utf-8
 * (and utf-8-sig), ascii, latin-1 and utf-16 (-le, -be) families with
 * Python's exact errors.
 *
 * @throws PyUnicodeDecodeError when Python would raise UnicodeDecodeError.
 * @throws PyLookupError for any other encoding ("unknown encoding: X");
 *   Python knows more codecs, but fedora-messaging publishers only use utf-8.
 */
export function decodeBytes(bytes: Uint8Array, encoding: string): string {
  const codec = ALIASES[normalise(encoding)];
  switch (codec) {
    case "utf_8":
    case "utf_8_sig": {
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        throw utf8Error(bytes);
      }
      return codec === "utf_8_sig" && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    }
    case "ascii": {
      const bad = bytes.findIndex((b) => b >= 0x80);
      if (bad >= 0) {
        throw new PyUnicodeDecodeError(`'ascii' codec can't decode byte 0x${hex(bytes[bad] as number)} in position ${bad}: ordinal not in range(128)`);
      }
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    }
    case "latin_1":
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    case "utf_16":
    case "utf_16_le":
    case "utf_16_be":
      return utf16(bytes, codec);
    default:
      throw new PyLookupError(`unknown encoding: ${encoding}`);
  }
}

const hex = (b: number): string => b.toString(16).padStart(2, "0");

/** Valid range of the second byte after each lead byte (RFC 3629, as CPython checks it). */
function secondRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/** Python's error for the first invalid sequence in `bytes` (which TextDecoder rejected). */
function utf8Error(bytes: Uint8Array): PyUnicodeDecodeError {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    const need = lead < 0x80 ? 0 : lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : -1;
    if (need < 0) return rangeError(i, i + 1, "invalid start byte", bytes);
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return rangeError(i, bytes.length, "unexpected end of data", bytes);
      const b = bytes[i + k] as number;
      const [lo, hi] = k === 1 ? secondRange(lead) : [0x80, 0xbf];
      if (b < lo || b > hi) return rangeError(i, i + k, "invalid continuation byte", bytes);
    }
    i += need + 1;
  }
  // TextDecoder and CPython agree on what is valid UTF-8; this is unreachable.
  return new PyUnicodeDecodeError("'utf-8' codec can't decode bytes: invalid data");
}

function rangeError(start: number, end: number, reason: string, bytes: Uint8Array): PyUnicodeDecodeError {
  const what = end - start === 1 ? `byte 0x${hex(bytes[start] as number)} in position ${start}` : `bytes in position ${start}-${end - 1}`;
  return new PyUnicodeDecodeError(`'utf-8' codec can't decode ${what}: ${reason}`);
}

/**
 * Python's utf-16 codecs: "utf-16" reads a byte-order mark (and drops it),
 * little-endian without one; "-le"/"-be" keep a mark as U+FEFF. Errors name
 * the byte order used and count positions from the first byte, as CPython.
 */
function utf16(bytes: Uint8Array, codec: "utf_16" | "utf_16_le" | "utf_16_be"): string {
  let start = 0;
  let littleEndian = codec !== "utf_16_be";
  if (codec === "utf_16" && bytes.length >= 2) {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) start = 2;
    else if (bytes[0] === 0xfe && bytes[1] === 0xff) [start, littleEndian] = [2, false];
  }
  const name = littleEndian ? "utf-16-le" : "utf-16-be";
  const unit = (i: number): number => (littleEndian ? (bytes[i] as number) | ((bytes[i + 1] as number) << 8) : ((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  const fail = (from: number, to: number, reason: string): PyUnicodeDecodeError =>
    new PyUnicodeDecodeError(`'${name}' codec can't decode bytes in position ${from}-${to}: ${reason}`);
  const units: number[] = [];
  for (let i = start; i < bytes.length; ) {
    if (i + 1 >= bytes.length) throw new PyUnicodeDecodeError(`'${name}' codec can't decode byte 0x${hex(bytes[i] as number)} in position ${i}: truncated data`);
    const u = unit(i);
    if (u < 0xd800 || u > 0xdfff) {
      units.push(u);
      i += 2;
      continue;
    }
    if (u >= 0xdc00) throw fail(i, i + 1, "illegal encoding");
    if (i + 3 >= bytes.length) throw fail(i, bytes.length - 1, "unexpected end of data");
    const low = unit(i + 2);
    if (low < 0xdc00 || low > 0xdfff) throw fail(i, i + 1, "illegal UTF-16 surrogate");
    units.push(u, low);
    i += 4;
  }
  let text = "";
  for (let k = 0; k < units.length; k += 8192) text += String.fromCharCode(...units.slice(k, k + 8192));
  return text;
}
