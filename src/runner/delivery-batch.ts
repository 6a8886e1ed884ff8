/**
 * Packs the deliveries of one turn for the worker thread.
 *
 * Structured clone copies the whole ArrayBuffer behind a Buffer view, and the
 * messages rhea hands us are views into its socket reads: cloning them one by
 * one would copy each read again per message. Instead the small messages of a
 * turn are copied once, end to end, into a buffer of their own, and a large
 * message that rhea reassembled into a buffer of its own is taken as it is.
 * Both are transferred (moved, not copied) to the worker, which slices the
 * batch apart again: the main thread keeps no copy of any body.
 */
import type { Delivered, RawDelivery } from "../consumer/delivery.js";

/** A message this large that owns its whole buffer travels alone, uncopied. */
const MOVE_WHOLE_BYTES = 64 * 1024;

export interface DeliveryBatch {
  /** The small encoded messages, end to end. */
  readonly bytes: Uint8Array;
  /** Where each message ends in `bytes` (one that travels apart takes no bytes there). */
  readonly ends: number[];
  /** Large messages that travel in their own buffer, by position. */
  readonly whole?: Record<number, Uint8Array>;
  /** Messages handed over already taken apart, by position (not from the broker: tests, replays). */
  readonly decoded?: Record<number, RawDelivery>;
}

function ownsItsBuffer(item: Uint8Array): boolean {
  return item.byteLength >= MOVE_WHOLE_BYTES && item.byteOffset === 0 && item.buffer.byteLength === item.byteLength && item.buffer instanceof ArrayBuffer;
}

export function packDeliveries(items: readonly Delivered[]): DeliveryBatch {
  let total = 0;
  for (const item of items) if (item instanceof Uint8Array && !ownsItsBuffer(item)) total += item.byteLength;
  const bytes = new Uint8Array(total);
  const ends: number[] = [];
  let whole: Record<number, Uint8Array> | undefined;
  let decoded: Record<number, RawDelivery> | undefined;
  let offset = 0;
  items.forEach((item, index) => {
    if (!(item instanceof Uint8Array)) (decoded ??= {})[index] = item;
    else if (ownsItsBuffer(item)) (whole ??= {})[index] = item;
    else {
      bytes.set(item, offset);
      offset += item.byteLength;
    }
    ends.push(offset);
  });
  return { bytes, ends, ...(whole ? { whole } : {}), ...(decoded ? { decoded } : {}) };
}

/** The buffers to move with the batch (postMessage's transfer list). */
export function batchTransfers(batch: DeliveryBatch): ArrayBuffer[] {
  const buffers = [batch.bytes.buffer as ArrayBuffer];
  for (const item of Object.values(batch.whole ?? {})) buffers.push(item.buffer as ArrayBuffer);
  return buffers;
}

export function unpackDeliveries(batch: DeliveryBatch): Delivered[] {
  let start = 0;
  return batch.ends.map((end, index) => {
    const item = batch.decoded?.[index] ?? batch.whole?.[index] ?? batch.bytes.subarray(start, end);
    start = end;
    return item;
  });
}
