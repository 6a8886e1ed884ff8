export {
  DEBUG, ERROR, INFO, libravatar_url, libravatarUrl, Message, SEVERITIES, userAvatarUrl, userAvatarUrl as user_avatar_url, WARNING,
  type LibravatarOptions, type MessageInit, type WireProperties,
} from "./message.js";
export { getMessage, getMessage as get_message, type MessageProperties } from "./get-message.js";
export { decodeAmqpBooleansAsBooleans, decodeMessage, type AmqpMessageLike } from "./decode.js";
export { dumps, loadMessage, loads, SERIALIZED_MESSAGE_SCHEMA } from "./serialize.js";
export {
  BASE_SCHEMA_NAME, getClass, getName, getPackage, registerMessageClass, registerSchemaModule,
  type MessageClass,
} from "./registry.js";
export { checkSchema, schemaError, type JsonSchema, type JsonType } from "./schema.js";
export {
  floatRepr, NumberShapes, pyDumps, pyParse, PyJSONDecodeError,
  type NumberShape, type PyDumpsOptions, type PyParsed,
} from "../python/pyjson.js";
export { pyBytesRepr, pyRepr, pyStr, pyStrRepr } from "../python/pyrepr.js";
