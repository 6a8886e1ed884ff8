/**
 * A schema package installed in the plugin directory (the example port of
 * Bodhi's update comment schema) through the built CLI: the callback, which
 * imports nothing of it, receives messages of its class — summary, usernames
 * and avatar from the schema — in the worker thread and in-process alike.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { pluginDirWith } from "../support/plugin-dir.js";
import { waitForQueue } from "../support/management.js";
import { BEHAVIOURS, ROOT, consumeToEnd, testQueues, writeConfig } from "./_harness.js";

const freshQueue = testQueues();
const pluginDir = pluginDirWith({ "bodhi-messages-example": join(ROOT, "test/fixtures/schema-packages/bodhi-messages-example") });
after(() => rmSync(pluginDir, { recursive: true, force: true }));

const COMMENT = {
  comment: {
    karma: -1,
    text: "Breaks my workflow",
    timestamp: "2019-03-18 16:54:48",
    user: { name: "alice" },
    update: { alias: "FEDORA-2019-1a2b3c4d5e", status: "testing", user: { name: "bob" }, builds: [{ nvr: "bodhi-5.0-1.fc30" }], release: { name: "F30" } },
  },
};

describe("schema packages in the plugin directory", () => {
  for (const mode of ["worker", "in-process"] as const) {
    test(`messages decode as the package's class (${mode})`, async () => {
      const queue = await freshQueue(`schema-${mode}`);
      await queue.publish([COMMENT], { headers: { fedora_messaging_schema: "bodhi.update.comment.v1", fedora_messaging_schema_package: "bodhi_messages_example" } });
      const config = writeConfig(queue, {
        callback: `${BEHAVIOURS}:recordSchema`,
        callbackMode: mode,
        extra: `plugin_dir = ${JSON.stringify(pluginDir)}`,
        consumerConfig: { halt_after: 1 },
      });
      const { code, stdout } = await consumeToEnd(config);
      assert.equal(code, 0, stdout);
      const [record] = queue.records();
      assert.equal(record?.["class"], "UpdateCommentV1", stdout);
      assert.equal(record?.["summary"], "alice commented on update bodhi-5.0-1.fc30 (karma: -1)");
      assert.deepEqual(record?.["usernames"], ["alice", "bob"]);
      assert.match(String(record?.["agent_avatar"]), /^https:\/\/seccdn\.libravatar\.org\/avatar\/[0-9a-f]{64}\?s=64&d=retro$/);
      assert.doesNotMatch(stdout, /is not in the schema registry/);
      await waitForQueue(queue.name, (q) => q.messages === 0, 10_000);
    });
  }
});
