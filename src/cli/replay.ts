/**
 * `fedora-messaging replay MESSAGE_ID [--datagrepper-url URL]`: Python's
 * `replay`. Fetches the message from Datagrepper (`_datagrepper.ts`), loads it
 * like a recorded line (`loadMessage`: its id, sent-at and priority kept) and
 * publishes it to `publish_exchange` with `topic_prefix` off (the topic is
 * complete already), then "Message with ID X has been successfully replayed."
 * Exit 0; 1 when Datagrepper fails, the message is invalid, or publishing
 * fails (Python lets those escape with a traceback; we say it in one line).
 */
import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import type { RunEnd } from "../ending.js";
import { PROG, REPLAY_DESCRIPTION, replayArgs, UsageError, type ScannedValues } from "./_args.js";
import { atExit } from "./_at-exit.js";
import type { CommandRunContext } from "./_command.js";
import { DEFAULT_DATAGREPPER_URL, fetchMessage, isEmpty, loadFetchedMessage } from "./_datagrepper.js";

export type ReplayValues = ScannedValues<typeof replayArgs>;

export const args = replayArgs;
export const positionals = ["MESSAGE_ID"] as const;

export const command: CommandDef = defineCommand<ArgsDef>({
  meta: { name: "replay", description: REPLAY_DESCRIPTION },
  args: replayArgs,
  run: ({ data }) => runReplayCommand(data as CommandRunContext<ReplayValues>),
});

/** @throws UsageError (2: no MESSAGE_ID), CommandFailure (1), PublishException (1). */
export async function runReplayCommand(context: CommandRunContext<ReplayValues>): Promise<RunEnd> {
  const [messageId] = context.positionals ?? [];
  if (messageId === undefined) throw new UsageError("Missing argument 'MESSAGE_ID'.", `${PROG} replay`, positionals);
  const echo = (context.services as { echo?: (line: string) => void }).echo ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const [{ setCurrentConfig }, api, { PublishException, ValidationError }] = await Promise.all([
    import("../config/current.js"),
    import("../api/publish.js"),
    import("../errors.js"),
  ]);
  const config = Object.freeze({ ...context.config, topic_prefix: "" });
  setCurrentConfig(config);
  const fetched = await fetchMessage(messageId, context.values["datagrepper-url"] ?? DEFAULT_DATAGREPPER_URL);
  if (isEmpty(fetched.value)) return { kind: "stopped" };
  const message = await loadFetchedMessage(fetched);
  try {
    await api.publish(message, { config });
  } catch (error) {
    if (error instanceof Error && !(error instanceof ValidationError)) throw new PublishException(error.message, { cause: error });
    throw error;
  } finally {
    atExit(api.closePublisher);
  }
  echo(`Message with ID ${messageId} has been successfully replayed.`);
  return { kind: "stopped" };
}
