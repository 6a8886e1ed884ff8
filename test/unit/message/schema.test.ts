/** The schema subset against jsonschema's own messages (schema-cases.json, from make-fixtures.py). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { pyParse } from "../../../src/python/pyjson.js";
import { checkSchema, schemaError, type JsonSchema } from "../../../src/message/schema.js";

interface Fixtures {
  schemas: Record<string, JsonSchema>;
  cases: { schema: string; instance: string; summary: string | null }[];
}
const fx = JSON.parse(readFileSync(new URL("../../fixtures/message/schema-cases.json", import.meta.url), "utf8")) as Fixtures;

describe("schemaError matches jsonschema.validate's message", () => {
  for (const c of fx.cases) {
    test(`${c.schema}: ${c.instance}`, () => {
      const { value, numbers } = pyParse(c.instance);
      assert.equal(schemaError(value, fx.schemas[c.schema] as JsonSchema, numbers), c.summary);
    });
  }
});

test("checkSchema accepts the fixtures' schemas and refuses unsupported keywords", () => {
  for (const s of Object.values(fx.schemas)) checkSchema(s);
  assert.throws(() => checkSchema({ type: "object", properties: { a: { type: "string", pattern: "^x" } } }),
    /schema\.properties\.a: JSON Schema keyword "pattern" is not supported/);
  assert.throws(() => checkSchema({ anyOf: [] }), TypeError);
  checkSchema({ title: "t", format: "date-time", description: "d" });
});

test("plain JS numbers: integral counts as integer", () => {
  assert.equal(schemaError(2, { $schema: "http://json-schema.org/draft-04/schema#", type: "integer" }), null);
  assert.equal(schemaError(2.5, { type: "integer" }), "2.5 is not of type 'integer'");
});
