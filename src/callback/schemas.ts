/**
 * Schema packages: the Node counterpart of Python's `fedora.messages` entry
 * points, so that messages decode as their schema's class (its `summary`,
 * `usernames`, `agentName`, ...) with no code in the callback.
 *
 * A schema package is an npm package installed in the plugin directory's
 * `node_modules` (`npm install --prefix /usr/lib/fedora-messaging/plugins
 * some-messages`) whose package.json names its classes like entry points:
 *
 *     "fedora-messaging": { "schemas": { "bodhi.update.comment.v1": "./update.mjs:UpdateCommentV1" } }
 *
 * Each class extends `Message` (imported from "fedora-messaging") and is
 * registered under that schema name, with the package's name as its schema
 * package. Registration happens in every thread that decodes, before the
 * first message. A package that names a file or class that cannot be loaded
 * stops the start with one line naming it (Python fails on the first message).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CallbackLoadError } from "../errors.js";
import { Message } from "../message/message.js";
import { registerMessageClass, type MessageClass } from "../message/registry.js";
import { importPlugin } from "./_import.js";

/** One schema a package declares. */
export interface SchemaDeclaration {
  readonly packageName: string;
  readonly schemaName: string;
  /** Absolute path of the module. */
  readonly file: string;
  readonly exportName: string;
}

/** The manifest key, as Python's entry point group is `fedora.messages`. */
const MANIFEST_KEY = "fedora-messaging";

/**
 * Every schema declared by the packages in `<pluginDir>/node_modules`
 * (scoped ones included), in directory order.
 * @throws CallbackLoadError (exit 1) for a declaration that is not "path:Export".
 */
export function findSchemaPackages(pluginDir: string): SchemaDeclaration[] {
  const found: SchemaDeclaration[] = [];
  for (const dir of packageDirs(join(pluginDir, "node_modules"))) {
    let manifest: { name?: unknown; [MANIFEST_KEY]?: { schemas?: unknown } };
    try {
      manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as typeof manifest;
    } catch {
      continue; // not a package, or not ours to judge: the callback loader reports broken manifests it needs
    }
    const schemas = manifest[MANIFEST_KEY]?.schemas;
    if (schemas === undefined) continue;
    const packageName = typeof manifest.name === "string" ? manifest.name : dir;
    if (schemas === null || typeof schemas !== "object" || Array.isArray(schemas)) {
      throw new CallbackLoadError(`The schema package ${packageName} (${dir}) declares "${MANIFEST_KEY}.schemas" that is not an object of "schema name": "path:Class"`, 1);
    }
    for (const [schemaName, target] of Object.entries(schemas as Record<string, unknown>)) {
      const match = typeof target === "string" ? /^(.+):([A-Za-z_$][\w$]*)$/.exec(target) : null;
      if (match === null) {
        throw new CallbackLoadError(`The schema package ${packageName} declares ${JSON.stringify(schemaName)} as ${JSON.stringify(target)}; expected "path/to/module.js:ClassName"`, 1);
      }
      found.push({ packageName, schemaName, file: resolve(dir, match[1]!), exportName: match[2]! });
    }
  }
  return found;
}

/**
 * Imports and registers every schema the plugin directory's packages declare.
 * @returns the registered schema names.
 * @throws CallbackLoadError (exit 1) naming the package and the schema when a
 *   module cannot be imported or its export is not a Message class.
 */
export async function registerSchemaPackages(pluginDir: string): Promise<string[]> {
  const names: string[] = [];
  for (const declaration of findSchemaPackages(pluginDir)) {
    const { packageName, schemaName, file, exportName } = declaration;
    const where = `the schema ${JSON.stringify(schemaName)} of the package ${packageName} (${file}:${exportName})`;
    let exports: Record<string, unknown>;
    try {
      exports = await importPlugin(pathToFileURL(file).href);
    } catch (error) {
      throw new CallbackLoadError(`Failed to load ${where}: ${error instanceof Error ? error.message : String(error)}`, 1, { cause: error });
    }
    const cls = exports[exportName];
    // `instanceof Message` holds across copies of this library (the package imports its own).
    if (typeof cls !== "function" || !((cls as { prototype: unknown }).prototype instanceof Message)) {
      throw new CallbackLoadError(`Failed to load ${where}: it is not a class extending Message from "fedora-messaging"`, 1);
    }
    registerMessageClass(schemaName, cls as MessageClass, { package: packageName });
    names.push(schemaName);
  }
  return names;
}

// --- internal ---

/** `node_modules/x` and `node_modules/@scope/x`, sorted; nothing when the directory is missing. */
function packageDirs(nodeModules: string): string[] {
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name).sort();
    } catch {
      return [];
    }
  };
  return list(nodeModules).flatMap((name) =>
    name.startsWith("@") ? list(join(nodeModules, name)).map((inner) => join(nodeModules, name, inner)) : name.startsWith(".") ? [] : [join(nodeModules, name)],
  );
}
