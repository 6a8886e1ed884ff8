/**
 * Schema classes for the benchmark's five sample messages, each with a body
 * schema shaped after its application's documented one and the summary the
 * application gives. Without them every message of the benchmark would fall
 * back to the base schema and log Python's "not in the schema registry"
 * WARNING: a third line per message that a deployment with its schema
 * packages installed does not write.
 */
import { Message } from "fedora-messaging";

const string = { type: "string" };
const integer = { type: "integer" };
const nullableString = { type: ["null", "string"] };

function objectSchema(properties, required = Object.keys(properties)) {
  return { $schema: "http://json-schema.org/draft-04/schema#", type: "object", properties, required };
}

export class BodhiUpdateComment extends Message {
  static bodySchema = objectSchema({
    comment: objectSchema({ author: string, karma: integer, text: string, timestamp: string, update_alias: string }),
    agent: string,
  });
  get summary() {
    const c = this.body.comment;
    return `${c.author} commented on bodhi update ${c.update_alias} (karma: ${c.karma})`;
  }
}

export class KojiBuildStateChange extends Message {
  static bodySchema = objectSchema(
    { attribute: string, build_id: integer, name: string, version: string, release: string, new: integer, old: { type: ["null", "integer"] }, owner: string, instance: string, task_id: { type: ["null", "integer"] }, epoch: { type: ["null", "integer"] } },
    ["build_id", "name", "version", "release", "new", "owner", "instance"],
  );
  get summary() {
    const b = this.body;
    return `build ${b.name}-${b.version}-${b.release} changed state to ${b.new} (owner ${b.owner})`;
  }
}

export class PungiComposeStatusChange extends Message {
  static bodySchema = objectSchema({ compose_id: string, status: string, location: string, compose_label: nullableString }, ["compose_id", "status", "location"]);
  get summary() {
    return `pungi compose of ${this.body.compose_id} ${this.body.status}`;
  }
}

export class CoprBuildEnd extends Message {
  static bodySchema = objectSchema(
    { build: integer, chroot: string, copr: string, owner: string, pkg: nullableString, status: integer, user: string, version: nullableString, what: string },
    ["build", "chroot", "copr", "owner", "status", "user"],
  );
  get summary() {
    return `copr build ${this.body.build} of ${this.body.owner}/${this.body.copr} ended in ${this.body.chroot} (status ${this.body.status})`;
  }
}

export class AnityaVersionUpdate extends Message {
  static bodySchema = objectSchema({
    project: objectSchema({ id: integer, name: string, homepage: string, backend: string }),
    message: objectSchema({ upstream_versions: { type: "array", items: string }, old_version: string, agent: string, odd_change: { type: "boolean" } }),
    distros: { type: "array", items: string },
  });
  get summary() {
    return `A new version of "${this.body.project.name}" has been detected: ${this.body.message.upstream_versions.join(", ")}`;
  }
}
