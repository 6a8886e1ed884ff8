/**
 * The CLI as users run it: a real process (`node --import tsx src/cli-entry.ts`),
 * checked for exit code, stdout and stderr. Only paths that end before the
 * broker: help, usage errors, configuration errors and callback resolution.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const plugins = fileURLToPath(new URL("../../fixtures/callbacks/plugins", import.meta.url));
let dir = "";

before(() => {
  dir = mkdtempSync(join(tmpdir(), "fm-cli-"));
  writeFileSync(join(dir, "empty.toml"), "");
  writeFileSync(join(dir, "bad.toml"), "callback = \n");
  writeFileSync(join(dir, "plugins.toml"), `plugin_dir = ${JSON.stringify(plugins)}\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, COLUMNS: "80" };
  delete env.FEDORA_MESSAGING_CONF;
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli-entry.ts", ...args], { cwd: root, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const ROOT_HELP = `Usage: fedora-messaging [OPTIONS] COMMAND [ARGS]...

  The fedora-messaging command line interface.

Options:
  --conf PATH  Path to a valid configuration file to use in place of the
               configuration in /etc/fedora-messaging/config.toml.
  --version    Show the version and exit.
  --help       Show this message and exit.

Commands:
  consume    Consume messages from an AMQP queue using a JavaScript callback.
  publish    Publish messages to an AMQP exchange from a file.
  reconsume  Re-consume a message from Datagrepper.
  record     Record messages from an AMQP queue to provided file.
  replay     Replay a message from Datagrepper by its message ID
`;

// A few at a time: each is a Node process with tsx (~0.4 s of CPU).
describe("fedora-messaging", { concurrency: 4 }, () => {
  test("--help", async () => {
    assert.deepEqual(await cli("--help"), { code: 0, stdout: ROOT_HELP, stderr: "" });
  });

  test("no command prints the help (click 8.1)", async () => {
    assert.deepEqual(await cli(), { code: 0, stdout: ROOT_HELP, stderr: "" });
  });

  test("--version", async () => {
    const { code, stdout } = await cli("--version");
    assert.equal(code, 0);
    assert.match(stdout, /^fedora-messaging, version \d+\.\d+\.\d+\S*\n$/);
  });

  test("consume --help lists Python's options, in Python's order", async () => {
    const { code, stdout, stderr } = await cli("consume", "--help");
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Usage: fedora-messaging consume \[OPTIONS\]\n\n {2}Consume messages from an AMQP queue/);
    const options = [...stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
    assert.deepEqual(options, ["--app-name", "--callback-file", "--callback", "--routing-key", "--queue-name", "--exchange", "--help"]);
    assert.ok(stdout.replace(/\s+/g, " ").includes("Can be specified multiple times; any message that matches at least one will be placed in the message queue."));
  });

  test("an unknown command", async () => {
    assert.deepEqual(await cli("bogus"), {
      code: 2,
      stdout: "",
      stderr: "Usage: fedora-messaging [OPTIONS] COMMAND [ARGS]...\nTry 'fedora-messaging --help' for help.\n\nError: No such command 'bogus'.\n",
    });
  });

  test("an unknown option", async () => {
    assert.deepEqual(await cli("consume", "--foo"), {
      code: 2,
      stdout: "",
      stderr: "Usage: fedora-messaging consume [OPTIONS]\nTry 'fedora-messaging consume --help' for help.\n\nError: No such option: --foo\n",
    });
  });

  test("an option without its value", async () => {
    assert.deepEqual(await cli("consume", "--callback"), { code: 2, stdout: "", stderr: "Error: Option '--callback' requires an argument.\n" });
  });

  test("--conf that is not a file", async () => {
    assert.deepEqual(await cli("--conf", "/nonexistent/fm.toml", "consume"), {
      code: 2,
      stdout: "",
      stderr: "Usage: fedora-messaging [OPTIONS] COMMAND [ARGS]...\nTry 'fedora-messaging --help' for help.\n\nError: Invalid value: /nonexistent/fm.toml is not a file\n",
    });
  });

  test("--conf that does not parse", async () => {
    const { code, stderr } = await cli(`--conf=${join(dir, "bad.toml")}`, "consume");
    assert.equal(code, 2);
    assert.match(stderr, new RegExp(`\\n\\nError: Invalid value: Configuration error: Failed to parse ${join(dir, "bad.toml")}: .+\\n$`));
  });

  test("callback_concurrency out of range: exit 2 with the key's sentence", async () => {
    writeFileSync(join(dir, "concurrency.toml"), "callback_concurrency = 0\n");
    const { code, stdout, stderr } = await cli("--conf", join(dir, "concurrency.toml"), "consume", "--callback", "x:y");
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(stderr, /\n\nError: Invalid value: Configuration error: in .*concurrency\.toml: 'callback_concurrency' must be an integer from 1 to 65535, got 0\n$/);
  });

  test("a bad configuration is reported before the command's unknown option or --help, as Python's group does", async () => {
    writeFileSync(join(dir, "unknown-key.toml"), "bogus_key = 1\n");
    for (const tail of [["--foo"], ["--help"]]) {
      const { code, stdout, stderr } = await cli("--conf", join(dir, "unknown-key.toml"), "consume", ...tail);
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.match(stderr, /^Usage: fedora-messaging \[OPTIONS\] COMMAND \[ARGS\]\.\.\.\n.*\n\nError: Invalid value: Configuration error: in .*unknown-key\.toml: Unknown configuration key 'bogus_key'! /);
    }
    // An unknown command and the root's own options still come first (click resolves them before the callback).
    assert.match((await cli("--conf", join(dir, "unknown-key.toml"), "bogus")).stderr, /No such command 'bogus'/);
    assert.match((await cli("--conf", join(dir, "unknown-key.toml"), "--foo", "consume")).stderr, /No such option: --foo/);
  });

  test("no configuration file at all: nothing about it on stdout (Python's CLI is silent)", { skip: existsSync("/etc/fedora-messaging/config.toml") && "/etc/fedora-messaging/config.toml exists here" }, async () => {
    const { code, stdout } = await cli("consume", "--callback", "no_such_plugin:cb");
    assert.equal(code, 1);
    assert.equal(stdout, "");
  });

  test("no callback anywhere", async () => {
    const { code, stderr } = await cli("--conf", join(dir, "empty.toml"), "consume");
    assert.equal(code, 1);
    assert.equal(
      stderr,
      'Error: A path to a callable object that accepts the message must be provided with the "--callback" command line option or in the configuration file\n',
    );
  });

  test("a callback spec in a bad format", async () => {
    const { code, stderr } = await cli("--conf", join(dir, "empty.toml"), "consume", "--callback=no-colon");
    assert.equal(code, 1);
    assert.equal(
      stderr,
      'Error: Unable to parse the callback path (no-colon); the expected format is "path/to/plugin.js:callable_object" or "plugin_name:callable_object"\n',
    );
  });

  test("a callback module that does not exist", async () => {
    const { code, stderr } = await cli("--conf", join(dir, "plugins.toml"), "consume", "--callback", "nothing-here:handle");
    assert.equal(code, 1);
    assert.equal(
      stderr,
      `Error: Failed to import the callback module (No module named 'nothing-here': no nothing-here.js, nothing-here.mjs, ` +
        `nothing-here.cjs or nothing-here/ in ${plugins}, and no package 'nothing-here' in its node_modules) provided in the --callback argument\n`,
    );
  });
});
