/**
 * Schema packages found in the plugin directory's node_modules, as Python
 * finds `fedora.messages` entry points: the example package (a port of
 * Bodhi's update comment schema) is installed into a temporary plugin
 * directory beside the built "fedora-messaging" it imports, and messages then
 * decode as its class, with no code in any callback.
 *
 * Needs dist/ (the package resolves "fedora-messaging" to it): `npm test`
 * builds first; run `npm run build` when running this file alone.
 */
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { findSchemaPackages, registerSchemaPackages } from "../../../src/callback/schemas.js";
import { CallbackLoadError } from "../../../src/errors.js";
import { getMessage, userAvatarUrl } from "../../../src/message/index.js";
import { pluginDirWith } from "../../support/plugin-dir.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const example = join(root, "test/fixtures/schema-packages/bodhi-messages-example");
const skip = existsSync(join(root, "dist/index.mjs")) ? false : "dist/ is not built: run `npm run build` (npm test does)";

const COMMENT = {
  comment: {
    karma: 1,
    text: "Works for me",
    timestamp: "2019-03-18 16:54:48",
    user: { name: "alice" },
    update: { alias: "FEDORA-2019-1a2b3c4d5e", status: "testing", request: null, user: { name: "bob" }, builds: [{ nvr: "python-fedora-messaging-3.6.0-1.fc40" }], release: { name: "F40" } },
  },
};
const HEADERS = { fedora_messaging_schema: "bodhi.update.comment.v1", fedora_messaging_schema_package: "bodhi_messages_example", fedora_messaging_severity: 20 };

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const fresh = (packages: Parameters<typeof pluginDirWith>[0]): string => {
  const dir = pluginDirWith(packages);
  dirs.push(dir);
  return dir;
};

describe("schema packages in the plugin directory", { skip }, () => {
  let pluginDir = "";
  before(() => {
    pluginDir = fresh({ "bodhi-messages-example": example });
  });

  test("are found through package.json", () => {
    assert.deepEqual(findSchemaPackages(pluginDir).map((d) => [d.packageName, d.schemaName, d.exportName]), [["bodhi-messages-example", "bodhi.update.comment.v1", "UpdateCommentV1"]]);
  });

  test("registered, their messages decode as their class: summary, usernames, agent, packages, url", async () => {
    assert.deepEqual(await registerSchemaPackages(pluginDir), ["bodhi.update.comment.v1"]);
    const message = getMessage("org.fedoraproject.prod.bodhi.update.comment", { headers: HEADERS, content_encoding: "utf-8", message_id: "m1" }, JSON.stringify(COMMENT));
    assert.equal(message.constructor.name, "UpdateCommentV1");
    assert.equal(message.summary, "alice commented on update python-fedora-messaging-3.6.0-1.fc40 (karma: 1)");
    assert.deepEqual(message.usernames, ["alice", "bob"]);
    assert.deepEqual(message.packages, ["python-fedora-messaging"]);
    assert.equal(message.agent_name, "alice");
    assert.equal(message.agent_avatar, userAvatarUrl("alice"));
    assert.equal(message.url, "https://bodhi.fedoraproject.org/updates/FEDORA-2019-1a2b3c4d5e");
  });

  test("their schema is enforced: a comment without karma is invalid", async () => {
    await registerSchemaPackages(pluginDir);
    const { karma: _karma, ...noKarma } = COMMENT.comment;
    assert.throws(() => getMessage("t", { headers: HEADERS, content_encoding: "utf-8" }, JSON.stringify({ comment: noKarma })), { summary: "'karma' is a required property" });
  });

  test("a package without the key, or no node_modules at all, is no schema package", () => {
    assert.deepEqual(findSchemaPackages(fresh({ other: { "package.json": '{"name": "other"}' } })), []);
    assert.deepEqual(findSchemaPackages(join(tmpdir(), "fm-no-such-plugin-dir")), []);
  });

  test("a declaration that cannot be used stops the start, naming the package", async () => {
    const declare = (value: string) => ({ "package.json": JSON.stringify({ name: "broken-schemas", "fedora-messaging": { schemas: { "x.y": value } } }), "m.mjs": "export const NotAClass = 1;\nexport class Plain {}\n" });
    const failure = (dir: string) => registerSchemaPackages(dir).then(() => assert.fail("no error"), (e: unknown) => {
      assert.ok(e instanceof CallbackLoadError && e.exitCode === 1, String(e));
      return e.message;
    });
    assert.match(await failure(fresh({ broken: declare("m.mjs") })), /^The schema package broken-schemas declares "x\.y" as "m\.mjs"; expected "path\/to\/module\.js:ClassName"$/);
    assert.match(await failure(fresh({ broken: declare("./missing.mjs:X") })), /^Failed to load the schema "x\.y" of the package broken-schemas \(.*missing\.mjs:X\): /);
    assert.match(await failure(fresh({ broken: declare("./m.mjs:Plain") })), /: it is not a class extending Message from "fedora-messaging"$/);
    assert.match(await failure(fresh({ broken: declare("./m.mjs:NotAClass") })), /: it is not a class extending Message from "fedora-messaging"$/);
  });
});
