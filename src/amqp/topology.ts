/**
 * Declares what the configuration asks for, through RabbitMQ 4's `/management`
 * node, the way Python fedora-messaging does it over AMQP 0-9-1 (notes §1.2):
 * for each configured queue, in order, declare it (or, with passive declares,
 * check that it exists), then bind it with one binding per routing key.
 * Exchanges are never declared when consuming, like Python.
 *
 * The server-named queue `""`: AMQP 1.0 has no server-named queues, so we name
 * it ourselves (unique per connection, like `amq.gen-...`, which clients may not
 * use) and keep its exclusive/auto-delete settings: it lives and dies with the
 * connection that declared it, which is also the connection that consumes.
 */
import { randomUUID } from "node:crypto";
import type { Binding, Config, QueueSettings } from "../config/types.js";
import type { ManagementClient } from "./management.js";

export interface DeclaredQueue {
  /** The key in the configuration (`""` for the server-named queue). */
  readonly configName: string;
  /** The name on the broker. */
  readonly name: string;
}

/** Prefix of the queue names we generate for the server-named `""` queue. */
export const GENERATED_QUEUE_PREFIX = "fedora-messaging.gen-";

export function generatedQueueName(): string {
  return `${GENERATED_QUEUE_PREFIX}${randomUUID()}`;
}

/**
 * Declares every queue of `queues` and its bindings. Rejects with
 * BadDeclarationError (exit 10) naming the queue or binding and the broker's text.
 */
export async function declareTopology(
  management: ManagementClient,
  config: Pick<Config, "queues" | "bindings" | "passive_declares">,
): Promise<DeclaredQueue[]> {
  const declared: DeclaredQueue[] = [];
  for (const [configName, settings] of Object.entries(config.queues)) {
    const name = configName === "" ? generatedQueueName() : configName;
    await declareQueue(management, name, settings, config.passive_declares);
    for (const binding of bindingsOf(config.bindings, configName)) {
      for (const key of binding.routing_keys) {
        await management.bindQueue(name, binding.exchange, key, binding.arguments);
      }
    }
    declared.push({ configName, name });
  }
  return declared;
}

async function declareQueue(management: ManagementClient, name: string, settings: QueueSettings, passiveDefault: boolean): Promise<void> {
  const passive = settings.passive ?? passiveDefault;
  if (passive) {
    await management.checkQueue(name);
    return;
  }
  await management.declareQueue(name, {
    durable: settings.durable,
    exclusive: settings.exclusive,
    auto_delete: settings.auto_delete,
    arguments: settings.arguments,
  });
}

/** The bindings that apply to a configured queue: Python matches them by the configured name. */
function bindingsOf(bindings: readonly Binding[], configName: string): Binding[] {
  return bindings.filter((binding) => (binding.queue ?? "") === configName);
}
