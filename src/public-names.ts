/**
 * The public classes and functions keep their names in the bundles.
 *
 * Their names reach what users see: `Message(id=..., ...)` (a message's repr
 * is its class's name), `<class 'Message'>`, `<function printer>`. esbuild
 * renames a top-level symbol that collides with another module's (our
 * `ConnectionError` and rhea's), and a class that refers to itself
 * (`Message` became `_Message`). Its `keepNames` option fixes that by wrapping
 * every function and class of the bundle, ours and our dependencies', in a
 * call that redefines its name, at start and for every closure made per
 * message (rhea's five per delivery, consola's one per log line): measured in
 * six same-round A/B rounds at 0.7-1.0 MiB of peak RSS and about 1 % of the CPU
 * per message, and 50 KB of bundle. The bundles are built without it
 * (build/build.mjs), and this gives back their names to the exports, the only
 * names a user can reach; internal functions keep whatever name esbuild gave
 * them (a stack trace may show `errorText2`).
 */

/**
 * Names each exported class or function after its export, unless it already
 * bears one of its export names (`get_message` is `getMessage` under another
 * name: a function exported twice keeps the name without an underscore).
 */
export function restorePublicNames(exports: Readonly<Record<string, unknown>>): void {
  const keysOf = new Map<unknown, string[]>();
  for (const [key, value] of Object.entries(exports)) {
    if (typeof value === "function") keysOf.set(value, [...(keysOf.get(value) ?? []), key]);
  }
  for (const [value, keys] of keysOf) {
    const fn = value as { name: string };
    if (keys.includes(fn.name)) continue;
    const name = keys.find((key) => !key.includes("_")) ?? keys[0]!;
    Object.defineProperty(fn, "name", { value: name, configurable: true });
  }
}
