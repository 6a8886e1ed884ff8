#!/usr/bin/env node
/**
 * What one hand-over between threads costs on this machine: the time a worker
 * spends in postMessage when the receiving thread sleeps (it must be woken)
 * against when it is busy (no wake-up needed). Worker mode pays the first one
 * twice per round of deliveries (README "Performance"); on a virtual machine,
 * waking a thread on another vCPU can cost far more than on bare metal.
 * Not part of `npm run bench`: a fact about the machine, printed to compare
 * machines (`node test/bench/thread-wake.mjs`).
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const POSTS = 3000;
/** Between posts the worker spins this long, so that an idle receiver is asleep again. */
const GAP_NS = 30_000n;

if (isMainThread) {
  for (const receiver of ["sleeping", "busy", "sleeping", "busy"]) {
    const worker = new Worker(new URL(import.meta.url), { workerData: receiver });
    // A busy receiver: the main thread's event loop is kept running in 20 ms slices.
    const spin = receiver === "busy" ? setInterval(() => { const end = Date.now() + 20; while (Date.now() < end); }, 0) : undefined;
    const us = await new Promise((resolve) => worker.on("message", (m) => m.done && resolve(m.us)));
    clearInterval(spin);
    await worker.terminate();
    console.log(`postMessage to a ${receiver} thread: ${us.toFixed(1)} us in the sender`);
  }
} else {
  let total = 0n;
  for (let i = 0; i < POSTS; i++) {
    const started = process.hrtime.bigint();
    parentPort.postMessage({ t: "outcomes", ids: [i, i + 1, i + 2, i + 3, i + 4] });
    total += process.hrtime.bigint() - started;
    const until = process.hrtime.bigint() + GAP_NS;
    while (process.hrtime.bigint() < until);
  }
  parentPort.postMessage({ done: true, us: Number(total) / POSTS / 1000 });
}
