/** The schema registry: names, packages, fallbacks and schema modules. */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { createConsola } from "consola";
import { setSink } from "../../../src/log.js";
import { getClass, getName, getPackage, Message, registerMessageClass, registerSchemaModule } from "../../../src/message/index.js";
import { resetRegistry } from "../../../src/message/registry.js";

let lines: string[] = [];
beforeEach(() => {
  resetRegistry();
  lines = [];
  setSink(createConsola({ level: 5, reporters: [{ log: (entry) => { lines.push(entry.args.join(" ")); } }] }));
});
afterEach(() => setSink(createConsola({ level: 5, reporters: [{ log: () => {} }] })));

test("the base class is registered as base.message from package fedora_messaging", () => {
  assert.equal(getName(Message), "base.message");
  assert.equal(getClass("base.message"), Message);
  assert.equal(getPackage("base.message"), "fedora_messaging");
});

test("getClass of an unknown name warns like Python and falls back to the base class", () => {
  assert.equal(getClass("nope.v1"), Message);
  assert.deepEqual(lines, ['[fedora_messaging.message WARNING] The schema "nope.v1" is not in the schema registry! Either install the package with its schema definition or define a schema. Falling back to the default schema...']);
});

test("getName of an unregistered class is a TypeError", () => {
  class Loose extends Message {}
  assert.throws(() => getName(Loose), TypeError);
});

test("registerMessageClass: package normalised, re-registration replaces", () => {
  class A extends Message {}
  class B extends Message {}
  registerMessageClass("x.v1", A, { package: "My.Schema--Package" });
  assert.equal(getPackage("x.v1"), "my_schema_package");
  registerMessageClass("x.v1", B);
  assert.equal(getClass("x.v1"), B);
  assert.equal(getPackage("x.v1"), undefined);
  assert.throws(() => getName(A), TypeError);
});

test("registerMessageClass refuses schemas we cannot validate", () => {
  class Fancy extends Message {
    static override bodySchema = { type: "object" as const, properties: { a: { type: "string" as const, minLength: 3 } } };
  }
  assert.throws(() => registerMessageClass("fancy.v1", Fancy), /Fancy\.bodySchema\.properties\.a: JSON Schema keyword "minLength" is not supported/);
});

test("registerSchemaModule registers exported classes with their own schemaName", () => {
  class UpdateV1 extends Message {
    static override schemaName = "demo.update.v1";
    static override schemaPackage = "demo-messages";
  }
  class Helper extends UpdateV1 {} // inherits schemaName: not its own, skipped
  class NotAMessage {
    static schemaName = "bogus";
  }
  const namespace = { UpdateV1, Helper, NotAMessage, version: "1.0", default: { CommentV1: class extends Message { static override schemaName = "demo.comment.v1"; } } };
  assert.deepEqual(registerSchemaModule(namespace).sort(), ["demo.comment.v1", "demo.update.v1"]);
  assert.equal(getClass("demo.update.v1"), UpdateV1);
  assert.equal(getPackage("demo.update.v1"), "demo_messages");
  assert.throws(() => getName(Helper), TypeError);
  assert.equal(new UpdateV1().headers["fedora_messaging_schema"], "demo.update.v1");
});
