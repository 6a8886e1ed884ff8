/** Test helper: the shape of message-cases.json's `receive` cases (written by make-fixtures.py). */
export interface ReceiveCase {
  name: string;
  routingKey: string;
  headers: string | null;
  contentEncoding: string | null;
  messageId: string | null;
  priority: number | null;
  bodyHex: string;
  error?: string;
  class?: string;
  severity?: number;
  str?: string;
  record?: string;
  repr?: string;
  logs: string[];
}
