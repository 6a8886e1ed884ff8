/** Broker users made for a test file, and the URLs to connect as them. */
import { after } from "node:test";
import { brokerUrls, uniqueName } from "./broker.js";
import { createUser, deleteUser, setPermissions } from "./management.js";

/**
 * Returns a function that makes a user allowed to configure and read anything
 * on vhost `/` but to write to nothing (or what `write` matches), and the AMQP URL to connect as it; the
 * file's `after` hook deletes every user it made.
 */
export function usersWithoutWrite(): (prefix: string, write?: string) => Promise<string> {
  const made: string[] = [];
  after(() => Promise.all(made.map((user) => deleteUser(user))));
  return async (prefix, write = "^nothing$") => {
    const user = uniqueName(prefix);
    made.push(user);
    await createUser(user, "secret");
    await setPermissions(user, { configure: ".*", write, read: ".*" });
    const url = new URL(brokerUrls().amqpUrl);
    url.username = user;
    url.password = "secret";
    return url.toString();
  };
}
