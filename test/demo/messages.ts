/**
 * A handful of realistic Fedora messages for the demo and the benchmark:
 * topics, bodies and headers shaped like what Fedora's apps publish on
 * org.fedoraproject.prod.* (bodhi, koji, pungi, copr, anitya).
 */
import { randomUUID } from "node:crypto";

export interface SampleMessage {
  readonly topic: string;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
  readonly id: string;
}

const sentAt = () => new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00");

function headers(schema: string, schemaPackage: string, users: string[], packages: string[]): Record<string, unknown> {
  const h: Record<string, unknown> = {
    fedora_messaging_schema: schema,
    fedora_messaging_schema_package: schemaPackage,
    fedora_messaging_severity: 20,
    priority: 0,
    "sent-at": sentAt(),
  };
  for (const user of users) h[`fedora_messaging_user_${user}`] = true;
  for (const pkg of packages) h[`fedora_messaging_rpm_${pkg}`] = true;
  return h;
}

export function sampleMessages(): SampleMessage[] {
  return [
    {
      topic: "org.fedoraproject.prod.bodhi.update.comment",
      id: randomUUID(),
      headers: headers("bodhi.update.comment", "bodhi_messages", ["bodhi", "jdoe"], ["python-requests"]),
      body: {
        comment: {
          author: "bodhi",
          karma: 0,
          text: "This update has been pushed to testing.",
          timestamp: "2026-11-28 09:12:44",
          update_alias: "FEDORA-2026-3f2a9c1b7e",
        },
        agent: "bodhi",
      },
    },
    {
      topic: "org.fedoraproject.prod.buildsys.build.state.change",
      id: randomUUID(),
      headers: headers("koji_fedoramessaging.build.BuildStateChangeV1", "koji_fedoramessaging_messages", ["jdoe"], ["python-requests"]),
      body: {
        attribute: "state", build_id: 2618034, name: "python-requests", version: "2.32.3", release: "4.fc42",
        new: 1, old: 0, owner: "jdoe", instance: "primary", task_id: 127004321, epoch: null,
      },
    },
    {
      topic: "org.fedoraproject.prod.pungi.compose.status.change",
      id: randomUUID(),
      headers: headers("pungi.compose.status.change", "pungi_messages", [], []),
      body: {
        compose_id: "Fedora-Rawhide-20261128.n.0",
        status: "FINISHED_INCOMPLETE",
        location: "https://kojipkgs.fedoraproject.org/compose/rawhide/Fedora-Rawhide-20261128.n.0/compose",
        compose_label: null,
      },
    },
    {
      topic: "org.fedoraproject.prod.copr.build.end",
      id: randomUUID(),
      headers: headers("copr.build.end", "copr_messaging", ["ausername"], []),
      body: {
        build: 8431277, chroot: "fedora-rawhide-x86_64", copr: "hello-world", owner: "ausername",
        pkg: "hello", status: 1, user: "ausername", version: "2.12-1", what: "build end: user:ausername copr:hello-world",
      },
    },
    {
      topic: "org.release-monitoring.prod.anitya.project.version.update.v2",
      id: randomUUID(),
      headers: headers("anitya.project.version.update.v2", "anitya_schema", [], ["ruff"]),
      body: {
        project: { id: 377521, name: "ruff", homepage: "https://github.com/astral-sh/ruff", backend: "GitHub" },
        message: { upstream_versions: ["0.14.7"], old_version: "0.14.6", agent: "anitya", odd_change: false },
        distros: ["Fedora"],
      },
    },
  ];
}
