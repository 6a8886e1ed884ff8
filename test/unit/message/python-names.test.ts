/**
 * What a Python fedora-messaging user ports: `get_message`, the avatar helpers
 * and the snake_case message properties, against what Python gives for the
 * same input (message-cases.json, written by make-fixtures.py).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, test } from "node:test";
import { createConsola } from "consola";
import * as library from "../../../src/index.js";
import { ValidationError } from "../../../src/errors.js";
import { setSink } from "../../../src/log.js";
import { dumps, getMessage, get_message, libravatar_url, libravatarUrl, Message, registerMessageClass, user_avatar_url, userAvatarUrl } from "../../../src/message/index.js";
import type { ReceiveCase } from "./_fixtures.js";

interface LibravatarCase {
  call: "user" | "libravatar";
  args: [string | null, ...unknown[]];
  url: string;
}
const fx = JSON.parse(readFileSync(new URL("../../fixtures/message/message-cases.json", import.meta.url), "utf8")) as {
  receive: ReceiveCase[];
  libravatars: LibravatarCase[];
};

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  setSink(createConsola({ level: 5, reporters: [{ log: (entry) => { lines.push(entry.args.join(" ")); } }] }));
});
afterEach(() => setSink(createConsola({ level: 5, reporters: [{ log: () => {} }] })));

describe("get_message gives what Python's get_message gives", () => {
  for (const c of fx.receive) {
    test(c.name, () => {
      const properties = {
        headers: c.headers === null ? null : (JSON.parse(c.headers) as Record<string, unknown>),
        content_encoding: c.contentEncoding,
        message_id: c.messageId,
        priority: c.priority,
      };
      const body = Buffer.from(c.bodyHex, "hex");
      if (c.error !== undefined) {
        assert.throws(() => get_message(c.routingKey, properties, body), (e: unknown) => e instanceof ValidationError && e.summary === c.error);
      } else {
        const m = getMessage(c.routingKey, properties, body);
        m.queue = "q1"; // as the fixture script does before dumps()
        assert.equal(m.toString(), c.str);
        assert.equal(m.repr(), c.repr);
        assert.equal(dumps(m), c.record);
      }
      assert.deepEqual(lines, c.logs);
    });
  }
  test("camelCase property names and a string body work too", () => {
    const m = getMessage("t", { headers: { fedora_messaging_schema: "base.message", fedora_messaging_severity: 20 }, contentEncoding: "utf-8", messageId: "i" }, '{"a": 1.0}');
    assert.equal(m.id, "i");
    assert.equal(m.repr(), "Message(id='i', topic='t', body={'a': 1.0})");
  });
});

describe("avatar helpers equal Python's schema_utils", () => {
  for (const c of fx.libravatars) {
    test(`${c.call}_avatar_url(${c.args.map((a) => JSON.stringify(a)).join(", ")})`, () => {
      if (c.call === "user") {
        const [username, size, image] = c.args as [string, number, string];
        assert.equal(user_avatar_url(username, size, image), c.url);
        assert.equal(userAvatarUrl(username, size, image), c.url);
      } else {
        const [email, openid, size, image] = c.args as [string | null, string | null, number, string];
        assert.equal(libravatar_url(email, openid, size, image), c.url);
        assert.equal(libravatarUrl({ email, openid, size, default: image }), c.url);
      }
    });
  }
  test("neither email nor openid: Python's sentence", () => {
    assert.throws(() => libravatar_url(), { message: "You must provide either the email or the openid." });
  });
});

describe("snake_case message properties beside the camelCase ones", () => {
  test("the base class: both spellings agree", () => {
    const m = new Message({ body: {} });
    assert.deepEqual([m.app_name, m.app_icon, m.agent_name, m.agent_avatar], [null, null, null, null]);
  });

  test("a schema written in JS style (camelCase) answers in Python style too", () => {
    class Js extends Message {
      override get appName(): string { return "bodhi"; }
      override get appIcon(): string { return "https://apps.fedoraproject.org/img/icons/bodhi.png"; }
      override get agentName(): string { return "jdoe"; }
      override get usernames(): string[] { return ["jdoe", "alice"]; }
    }
    registerMessageClass("test.python_names.js", Js);
    const m = new Js({ body: {} });
    const name: string | null = m.app_name; // typed
    assert.equal(name, "bodhi");
    assert.equal(m.app_icon, "https://apps.fedoraproject.org/img/icons/bodhi.png");
    assert.equal(m.agent_name, "jdoe");
    assert.equal(m.agent_avatar, userAvatarUrl("jdoe"));
    assert.equal(m.headers["fedora_messaging_user_alice"], true);
  });

  test("a schema ported from Python (snake_case) answers in JS style too, avatar and filter headers included", () => {
    class Ported extends Message {
      override get app_name(): string { return "bodhi"; }
      override get agent_name(): string { return (this.body as { agent: string }).agent; }
      override get usernames(): string[] { return [this.agent_name]; }
    }
    registerMessageClass("test.python_names.ported", Ported);
    const m = new Ported({ body: { agent: "jdoe" } });
    assert.equal(m.appName, "bodhi");
    assert.equal(m.agentName, "jdoe");
    assert.equal(m.agentAvatar, userAvatarUrl("jdoe"));
    assert.equal(m.agent_avatar, userAvatarUrl("jdoe"));
    assert.equal(m.appIcon, null);
    assert.equal(m.headers["fedora_messaging_user_jdoe"], true);
  });

  test("the library exports get_message, getMessage and the avatar helpers", () => {
    for (const name of ["getMessage", "get_message", "userAvatarUrl", "user_avatar_url", "libravatarUrl", "libravatar_url"]) {
      assert.equal(typeof (library as Record<string, unknown>)[name], "function", name);
    }
  });
});
