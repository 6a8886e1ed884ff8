import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COLLECT_EVERY_BYTES, LARGE_BODY_BYTES, noteBody } from "../../../src/consumer/large-bodies.js";

/** An unreachable 8 MB buffer, watched. Made in a function so that no frame of the test holds it. */
function garbage(): WeakRef<ArrayBuffer> {
  return new WeakRef(new ArrayBuffer(8 * 1024 * 1024));
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("large bodies", () => {
  it("after COLLECT_EVERY_BYTES of large bodies the garbage is gone", async () => {
    const ref = garbage();
    await nextTurn(); // a WeakRef keeps its target alive until the end of the turn that made it
    for (let noted = 0; noted < COLLECT_EVERY_BYTES; noted += LARGE_BODY_BYTES) noteBody(LARGE_BODY_BYTES);
    await nextTurn();
    assert.equal(ref.deref(), undefined);
  });
});
