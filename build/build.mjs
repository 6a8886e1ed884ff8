#!/usr/bin/env node
/**
 * Bundles the daemon and the library into dist/ with esbuild.
 *
 * - dist/fedora-messaging.js: the CLI, one CommonJS file with a shebang (CJS
 *   because a Node SEA can only run a CommonJS main; dist/package.json says so).
 * - dist/index.cjs + dist/index.mjs + dist/index.d.ts: the package's entry points,
 *   in front of dist/library.cjs and dist/library.mjs: the library.
 *
 * The callback worker is bundled first and embedded in both as a string, so
 * that `new Worker(source, { eval: true })` needs no file beside the bundle:
 * that is what lets the same code run inside a single-file SEA binary.
 * rhea is bundled too, and the build refuses to bundle an unpatched rhea
 * (build/patch-rhea.mjs explains the bug).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = `${root}dist`;
const { version } = JSON.parse(readFileSync(`${root}package.json`, "utf8"));

execFileSync(process.execPath, [`${root}build/patch-rhea.mjs`, "--check"], { stdio: "inherit" });

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
// Everything in dist/ with a .js extension is CommonJS (the repo itself is ESM).
writeFileSync(`${dist}/package.json`, `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);

/** Marks of build/patch-rhea.mjs's fixes, per rhea file: the build refuses rhea without them. */
const RHEA_FIX_MARKS = {
  "session.js": ["last !== delivery && !message.are_outcomes_equivalent", "(receiver.delivery_count + 1) >>> 0", "!receiver.options.raw_transfers"],
  "link.js": ["this.delivery_count = frame.performative.initial_delivery_count >>> 0"],
  "types.js": ["if (n > (type.width === 0 ? this.buffer.length : (this.buffer.length - this.position) / type.width))"],
};

/** Fails the build if the bundled rhea lacks our fixes. */
const requirePatchedRhea = {
  name: "require-patched-rhea",
  setup(b) {
    b.onLoad({ filter: /rhea[\\/]lib[\\/](session|link|types)\.js$/ }, (args) => {
      const contents = readFileSync(args.path, "utf8");
      const marks = RHEA_FIX_MARKS[args.path.split(/[\\/]/).pop()] ?? [];
      if (!marks.every((mark) => contents.includes(mark))) {
        return { errors: [{ text: `${args.path} is not patched: run \`node build/patch-rhea.mjs\`` }] };
      }
      return { contents, loader: "js" };
    });
  },
};

/**
 * `debug` (rhea's logger) probes for the optional `supports-color` package in a
 * try/catch. Resolved to an empty module: in a SEA binary a require() of a
 * non-builtin prints a warning on every start, and a bundle should not pick up
 * whatever happens to be installed beside it.
 */
const noSupportsColor = {
  name: "no-supports-color",
  setup(b) {
    b.onResolve({ filter: /^supports-color$/ }, () => ({ path: "supports-color", namespace: "empty" }));
    b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "module.exports = {};", loader: "js" }));
  },
};

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: false,
  legalComments: "none",
  // Not keepNames: it wraps every function and class of the bundle, ours and
  // rhea's and consola's, in a call that redefines its name, at start and for
  // every closure made per message. The names users can see are the exports',
  // given back by src/public-names.ts (src/library.ts); bundle-names.test.ts
  // and packed-package.test.ts hold them.
  keepNames: false,
  logLevel: "warning",
  // worker-runner.ts reads import.meta.url only when running from source, never in a bundle.
  logOverride: { "empty-import-meta": "silent" },
  plugins: [requirePatchedRhea, noSupportsColor],
};

const worker = await build({
  ...common,
  entryPoints: [`${root}src/runner/callback-worker.ts`],
  format: "cjs",
  write: false,
  minifyWhitespace: true,
});
const workerSource = worker.outputFiles[0].text;

const define = {
  __FM_WORKER_SOURCE__: JSON.stringify(workerSource),
  __FM_VERSION__: JSON.stringify(version),
};

await build({
  ...common,
  entryPoints: [`${root}src/cli-entry.ts`],
  outfile: `${dist}/fedora-messaging.js`,
  format: "cjs",
  // A small young generation: the daemon allocates many short-lived objects per
  // message; V8's default 16 MiB semi-spaces grow RSS by ~30 MiB under load for
  // no speed gain (measured with npm run bench).
  // A fixed mmap threshold for glibc's malloc (its documented default, 128 KiB):
  // left dynamic, glibc raises it to the size of the largest block freed so far
  // (the daemon frees a 1 MiB block while it starts; a large message is another), after which freed
  // blocks up to that size stay in the heap of the thread that made them. Fixed,
  // they go back to the system at once: 6 MiB less peak RSS in the bench, 10 MiB
  // with 1 MB messages, no CPU cost measured. glibc reads it only when the
  // process starts, so it can be set here and in the systemd unit, not at run time.
  banner: { js: "#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=1" },
  define,
});
chmodSync(`${dist}/fedora-messaging.js`, 0o755);

// The library itself, and the package's two entry points in front of it: each
// gives the copy the daemon handed over when a plugin imports the package
// inside the daemon (src/library-handover.ts), else loads the library.
await build({ ...common, entryPoints: [`${root}src/library.ts`], outfile: `${dist}/library.cjs`, format: "cjs", define });
const esm = await build({
  ...common,
  entryPoints: [`${root}src/library.ts`],
  outfile: `${dist}/library.mjs`,
  format: "esm",
  define,
  metafile: true,
  // Bundled CommonJS dependencies (rhea) call require() for Node builtins.
  banner: { js: 'import { createRequire as __fmCreateRequire } from "node:module"; const require = __fmCreateRequire(import.meta.url);' },
});
const exportNames = Object.values(esm.metafile.outputs)[0].exports;
const handedOver = 'globalThis[Symbol.for("fedora-messaging.library")]';
const entryComment = "// The daemon's own copy when a plugin imports the package inside it (see src/library-handover.ts), else ours.";
writeFileSync(`${dist}/index.cjs`, `"use strict";\n${entryComment}\nmodule.exports = ${handedOver} ?? require("./library.cjs");\n`);
writeFileSync(
  `${dist}/index.mjs`,
  `${entryComment}\nconst library = ${handedOver} ?? (await import("./library.mjs"));\nexport const { ${exportNames.join(", ")} } = library;\n`,
);

// Type declarations for library users, emitted by tsc (esbuild emits no types).
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}tsconfig.build.json`], { stdio: "inherit" });
writeFileSync(`${dist}/index.d.ts`, 'export * from "./types/index.js";\n');

// Last: what package.json promises (bin, main, types, exports) exists and loads by name.
try {
  execFileSync(process.execPath, [`${root}build/check-exports.mjs`], { stdio: "inherit" });
} catch {
  process.exit(1); // check-exports.mjs said what is wrong
}
console.error(`built dist/ (fedora-messaging ${version})`);
