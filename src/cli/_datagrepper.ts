/**
 * Fetching one message from Datagrepper for `replay` and `reconsume`
 * (Python's `cli._get_message`): `GET {url}/v2/id?id={id}&is_raw=true`, 5 s,
 * and any failure (no connection, timeout, an HTTP error status, a body that
 * is not JSON) is "Failed to retrieve message from Datagrepper: ..." (exit 1),
 * worded like the `requests` errors Python shows where we can.
 */
import { pyParse, PyJSONDecodeError, type NumberShapes } from "../python/pyjson.js";
import type { Message } from "../message/message.js";
import { CommandFailure } from "./_args.js";

export const DEFAULT_DATAGREPPER_URL = "https://apps.fedoraproject.org/datagrepper";
/** Python's `requests.get(url, timeout=5)`. */
export const DATAGREPPER_TIMEOUT_MS = 5_000;

/** The message as Datagrepper returns it (the record format), with its number shapes. */
export interface FetchedMessage {
  readonly value: unknown;
  readonly shapes: NumberShapes;
}

/** @throws CommandFailure (exit 1) for every failure. */
export async function fetchMessage(messageId: string, datagrepperUrl: string, timeoutMs = DATAGREPPER_TIMEOUT_MS): Promise<FetchedMessage> {
  const url = `${datagrepperUrl}/v2/id?id=${messageId}&is_raw=true`;
  const failed = (why: string) => new CommandFailure(`Failed to retrieve message from Datagrepper: ${why}`);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    const e = error as Error & { cause?: { message?: string } };
    if (e.name === "TimeoutError") throw failed(`Read timed out. (read timeout=${timeoutMs / 1000}) for url: ${url}`);
    throw failed(`${e.cause?.message ?? e.message} for url: ${url}`);
  }
  if (response.status >= 400) {
    const kind = response.status < 500 ? "Client" : "Server";
    throw failed(`${response.status} ${kind} Error: ${response.statusText} for url: ${url}`);
  }
  try {
    const parsed = pyParse(text);
    return { value: parsed.value, shapes: parsed.numbers };
  } catch (error) {
    if (error instanceof PyJSONDecodeError) throw failed(error.message);
    throw error;
  }
}

/** Python's `if message_data:`: an empty object, array or null is nothing to replay. */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === false || value === 0 || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value as object).length === 0;
}

/**
 * A fetched message loaded like a recorded line (its id, sent-at and priority
 * kept), for `replay` and `reconsume`.
 *
 * @throws CommandFailure (1) when it is not a valid serialized message.
 */
export async function loadFetchedMessage(fetched: FetchedMessage): Promise<Message> {
  const [{ loadMessage }, { ValidationError }] = await Promise.all([import("../message/serialize.js"), import("../errors.js")]);
  try {
    return loadMessage(fetched.value, fetched.shapes);
  } catch (error) {
    if (error instanceof ValidationError) throw new CommandFailure(`The message from Datagrepper is not valid: ${error.message}`);
    throw error;
  }
}
