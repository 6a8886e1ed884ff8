/**
 * The public API for callback authors and programs that consume:
 * `import { consume, Nack, Drop, HaltConsumer, Message } from "fedora-messaging"`.
 * Re-exports only.
 */
export { consume, type ConsumeCallback, type ConsumeOptions, type ConsumeResult, type BindingInput } from "./api/consume.js";
export { publish, closePublisher, type PublishOptions } from "./api/publish.js";
export {
  pre_publish_signal,
  publish_signal,
  publish_failed_signal,
  prePublishSignal,
  publishSignal,
  publishFailedSignal,
  Signal,
  type Receiver,
  type PublishSignalArgs,
  type PublishFailedSignalArgs,
} from "./api/signals.js";
export type { RunEnd, Halted } from "./ending.js";
export {
  Nack,
  Drop,
  HaltConsumer,
  FedoraMessagingError,
  ConfigurationError,
  ValidationError,
  PermissionError,
  BadDeclarationError,
  ConnectionError,
  ConnectionException,
  PublishException,
  PublishReturned,
  PublishForbidden,
  PublishTimeout,
  ConsumerCanceledError,
  UnexpectedRegistrationError,
  CallbackError,
  CallbackLoadError,
  MonitoringError,
} from "./errors.js";
export {
  Message,
  DEBUG,
  INFO,
  WARNING,
  ERROR,
  SEVERITIES,
  dumps,
  loads,
  loadMessage,
  registerMessageClass,
  registerSchemaModule,
  getClass,
  getName,
  getMessage,
  get_message,
  userAvatarUrl,
  user_avatar_url,
  libravatarUrl,
  libravatar_url,
  type LibravatarOptions,
  type MessageClass,
  type MessageInit,
  type MessageProperties,
} from "./message/index.js";
export { currentConfig } from "./config/current.js";
export { loadConfig } from "./config/load.js";
export type { Config, Binding, QueueSettings } from "./config/types.js";
export { printer } from "./callback/printer.js";
export { getLogger, type Logger } from "./log.js";
