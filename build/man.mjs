#!/usr/bin/env node
/**
 * Writes the man page fedora-messaging(1) to dist/fedora-messaging.1 from the
 * CLI's own help (`--help` and `consume --help` of the built bundle), so the
 * page never disagrees with the program. The exit codes and files sections
 * are the README's tables in man form.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = `${root}dist/fedora-messaging.js`;
const { version } = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
const help = (...args) => execFileSync(process.execPath, [cli, ...args, "--help"], { encoding: "utf8" });

/** Text as roff shows it verbatim: backslashes doubled, lines starting with . or ' protected. */
const roff = (text) =>
  text.replaceAll("\\", "\\e").split("\n").map((line) => (/^[.']/.test(line) ? `\\&${line}` : line)).join("\n").trimEnd();

const EXIT_CODES = [
  ["0", "stopped by SIGINT or SIGTERM, or HaltConsumer()"],
  ["1", "the callback could not be loaded; unexpected error"],
  ["2", "bad configuration or command line; the callback is not callable"],
  ["10", "a queue or binding could not be declared"],
  ["11", "unexpected error while registering the consumer"],
  ["12", "the broker cancelled the consumer"],
  ["13", "the callback threw an unexpected error"],
  ["14", "connection refused at handshake (credentials, vhost, TLS, not RabbitMQ >= 4.0)"],
  ["15", "permission denied reading the queue"],
  ["N", "HaltConsumer(N)"],
];

const page = `.TH FEDORA-MESSAGING 1 "" "fedora-messaging ${version}" "User Commands"
.SH NAME
fedora-messaging \\- consume Fedora Messaging messages (Node.js re-implementation)
.SH SYNOPSIS
.B fedora-messaging
[\\fB\\-\\-conf\\fR \\fIPATH\\fR] \\fBconsume\\fR [\\fIOPTIONS\\fR]
.SH DESCRIPTION
A drop-in re-implementation of the consumer of Python fedora-messaging over AMQP 1.0 to RabbitMQ 4:
the same configuration files, options, exit codes and log lines.
.PP
.nf
${roff(help())}
.fi
.SH COMMANDS
.SS consume
.nf
${roff(help("consume"))}
.fi
.SH EXIT STATUS
${EXIT_CODES.map(([code, text]) => `.TP\n.B ${code}\n${text}`).join("\n")}
.SH FILES
.TP
.I /etc/fedora-messaging/config.toml
the configuration used without \\fB\\-\\-conf\\fR or \\fBFEDORA_MESSAGING_CONF\\fR
.TP
.I /etc/fedora-messaging/NAME.toml
the configuration of \\fBfm-consumer@NAME.service\\fR
.TP
.I /usr/lib/fedora-messaging/plugins
where \\fIplugin\\fB:\\fIName\\fR callbacks are found (\\fBplugin_dir\\fR)
.SH ENVIRONMENT
.TP
.B FEDORA_MESSAGING_CONF
the configuration file, when \\fB\\-\\-conf\\fR is not given
.TP
.B JOURNAL_STREAM
set by systemd: log lines then carry their syslog priority for the journal
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1)
`;
writeFileSync(`${root}dist/fedora-messaging.1`, page);
