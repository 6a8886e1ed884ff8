/** Test helper: a delivery as the consumer hands it to a runner, with a fedora-messaging body. */
import type { RawDelivery } from "../../../src/consumer/delivery.js";

export function raw(body: unknown, id = "id"): RawDelivery {
  return {
    annotations: { "x-routing-key": "t.topic" },
    applicationProperties: { fedora_messaging_schema: "base.message", fedora_messaging_severity: 20 },
    messageId: id,
    subject: undefined,
    contentType: "application/json",
    contentEncoding: "utf-8",
    priority: undefined,
    data: typeof body === "string" ? Buffer.from(body) : Buffer.from(JSON.stringify(body)),
  };
}
