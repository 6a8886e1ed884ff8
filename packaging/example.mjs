// /usr/lib/fedora-messaging/plugins/example.mjs: an example callback, used by
// /etc/fedora-messaging/sample.toml as callback = "example:Example".
// Copy it under another name to write your own; the plugin directory is
// plugin_dir in the config (this one by default).
import { appendFileSync } from "node:fs";
import { Drop, currentConfig, getLogger } from "fedora-messaging";

const log = getLogger("fedora_messaging.example");

export class Example {
  constructor() {
    // [consumer_config] in the .toml file.
    this.saveTo = currentConfig().consumer_config.save_to ?? "";
  }

  call(message) {
    if (typeof message.body !== "object" || message.body === null) {
      log.warning(`dropping message ${message.id}: its body is not a JSON object`);
      throw new Drop();
    }
    log.info(`${message.topic}: ${message.summary}`);
    if (this.saveTo) appendFileSync(this.saveTo, `${JSON.stringify({ id: message.id, topic: message.topic, body: message.body })}\n`);
  }
}
