/** Message against Python's Message (message-cases.json, made by make-fixtures.py with fedora_messaging itself). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { ValidationError } from "../../../src/errors.js";
import { Message, registerMessageClass, userAvatarUrl } from "../../../src/message/index.js";
import { pyParse } from "../../../src/python/pyjson.js";

interface Fixtures {
  str: { name: string; id: string | null; topic: string; headers: string; body: string; str: string }[];
  avatars: { user: string; url: string }[];
}
const fx = JSON.parse(readFileSync(new URL("../../fixtures/message/message-cases.json", import.meta.url), "utf8")) as Fixtures;

describe("toString() equals Python's str(message)", () => {
  for (const c of fx.str) {
    test(c.name, () => {
      const headers = pyParse(c.headers);
      const body = pyParse(c.body);
      assert.ok(headers.numbers.isEmpty, "fixture headers have no floats or big ints");
      const props = { headers: headers.value as Record<string, unknown>, id: c.id };
      const m = new Message({ body: body.value, topic: c.topic, properties: props, shapes: body.numbers });
      assert.equal(m.toString(), c.str);
    });
  }
});

test("agentAvatar/userAvatarUrl equal Python's user_avatar_url", () => {
  for (const a of fx.avatars) assert.equal(userAvatarUrl(a.user), a.url);
  class WithAgent extends Message {
    override get agentName(): string | null {
      return "jdoe";
    }
  }
  registerMessageClass("test.with_agent", WithAgent);
  assert.equal(new WithAgent().agentAvatar, fx.avatars[0]?.url);
  assert.equal(new Message().agentAvatar, null);
});

describe("a message built to publish", () => {
  test("has Python's headers, a uuid4 id and priority 0", () => {
    const m = new Message({ body: { a: 1 }, topic: "t.x", headers: { custom: "kept", fedora_messaging_schema: "overwritten" } });
    assert.match(m.id ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(m.sentAt ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.deepEqual(m.headers, {
      custom: "kept",
      fedora_messaging_schema: "base.message",
      fedora_messaging_schema_package: "fedora_messaging",
      "sent-at": m.sentAt,
      fedora_messaging_severity: 20,
      priority: 0,
    });
    assert.equal(m.priority, 0);
    assert.equal(m.queue, null);
    assert.equal(m.summary, "t.x");
    m.validate();
  });

  test("subclass getters become filter headers; a throwing getter is skipped", () => {
    class Filtered extends Message {
      static override defaultTopic = "filtered.topic";
      static override defaultSeverity = Message.WARNING;
      override get usernames(): string[] {
        return ["jdoe", "alice"];
      }
      override get packages(): string[] {
        return [(this.body as { pkg: string }).pkg];
      }
      override get groups(): string[] {
        throw new Error("broken");
      }
    }
    registerMessageClass("test.filtered", Filtered, { package: "Test-Schemas.pkg" });
    const m = new Filtered({ body: { pkg: "kernel" } });
    assert.equal(m.topic, "filtered.topic");
    assert.equal(m.severity, 30);
    assert.equal(m.headers["fedora_messaging_schema"], "test.filtered");
    assert.equal(m.headers["fedora_messaging_schema_package"], "test_schemas_pkg");
    assert.equal(m.headers["fedora_messaging_severity"], 30);
    assert.equal(m.headers["fedora_messaging_user_jdoe"], true);
    assert.equal(m.headers["fedora_messaging_user_alice"], true);
    assert.equal(m.headers["fedora_messaging_rpm_kernel"], true);
    assert.ok(!Object.keys(m.headers).some((k) => k.startsWith("fedora_messaging_group_")));
  });

  test("an unregistered subclass cannot be built (Python's TypeError)", () => {
    class Stray extends Message {}
    assert.throws(() => new Stray(), { name: "TypeError", message: /^The class <class 'Stray'> is not in the message registry/ });
  });

  test("options: id, priority (mirrored into the header), queue, falsy bodies", () => {
    const m = new Message({ id: "fixed", priority: 3, queue: "q", body: [] });
    assert.equal(m.id, "fixed");
    assert.equal(m.priority, 3);
    assert.equal(m.headers["priority"], 3);
    assert.equal(m.queue, "q");
    assert.deepEqual(m.body, {});
    m.priority = null;
    assert.equal(m.priority, 0);
    assert.equal(m.headers["priority"], 0);
  });

  test("severity constants", () => {
    assert.deepEqual([Message.DEBUG, Message.INFO, Message.WARNING, Message.ERROR], [10, 20, 30, 40]);
    assert.deepEqual(Message.SEVERITIES, [10, 20, 30, 40]);
    assert.equal(Message.deprecated, false);
  });
});

describe("validate()", () => {
  test("base schemas: body must be an object, severity one of the four", () => {
    const m = new Message({ properties: { headers: { fedora_messaging_severity: 50 }, id: "x" } });
    assert.throws(() => m.validate(), (e: unknown) => e instanceof ValidationError && e.summary === "50 is not one of [10, 20, 30, 40]");
    const b = new Message({ body: { a: 1 } });
    b.body = ["x"] as never;
    assert.throws(() => b.validate(), { summary: "['x'] is not of type 'object'" });
  });

  test("a subclass schema runs first, then the base schema", () => {
    class Strict extends Message {
      static override bodySchema = { type: "object" as const, required: ["name"], properties: { name: { type: "string" as const } } };
    }
    registerMessageClass("test.strict", Strict);
    assert.throws(() => new Strict({ body: { other: 1 } }).validate(), { summary: "'name' is a required property" });
    new Strict({ body: { name: "n" } }).validate();
  });
});

test("repr() and equals() follow Python's __repr__ and __eq__", () => {
  const { value, numbers } = pyParse('{"a": 1.0, "b": "it\'s"}');
  const m = new Message({ body: value, topic: "t", id: "i", shapes: numbers });
  assert.equal(m.repr(), `Message(id='i', topic='t', body={'a': 1.0, 'b': "it's"})`);
  const other = new Message({ body: { a: 1, b: "it's" }, topic: "t" });
  other.headers["sent-at"] = "different";
  assert.ok(m.equals(other));
  other.topic = "u";
  assert.ok(!m.equals(other));
});

test("instanceof Message holds across two copies of the module (the daemon's bundle and a plugin's package)", async () => {
  // A second copy of the module, as a plugin importing the installed package gets.
  const other = (await import(`../../../src/message/message.ts?copy=${Date.now()}`)) as typeof import("../../../src/message/message.js");
  assert.notEqual(other.Message, Message);
  assert.ok(new other.Message({ topic: "t" }) instanceof Message);
  assert.ok(new Message({ topic: "t" }) instanceof other.Message);
  class Narrow extends Message {}
  registerMessageClass("test.narrow", Narrow);
  assert.ok(!(new Message({ topic: "t" }) instanceof Narrow), "a subclass keeps the prototype check");
  assert.ok(new Narrow({ topic: "t" }) instanceof other.Message);
  assert.ok(!({ topic: "t" } instanceof Message));
});
