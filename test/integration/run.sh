#!/usr/bin/env bash
# Runs the integration tests against the test broker of test/broker/rabbitmq.sh.
#
#   bash test/integration/run.sh [node --test options, as --name=value] [test files]
#
# Starts the broker, exports what `rabbitmq.sh env` prints, runs every
# test/integration/**/*.test.ts (or the files given) one file at a time, and stops the
# broker afterwards, also on failure or Ctrl-C. Exits with the test runner's code.
# - FM_TEST_KEEP_BROKER=1 leaves the broker running (quicker reruns while developing).
# - A broker this script did not start (already running, started by rabbitmq.sh) is left
#   running: someone else is using it.
# - FM_TEST_AMQP_URL (+ FM_TEST_MGMT_URL) runs the tests against that broker instead.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
readonly BROKER=test/broker/rabbitmq.sh
stop_at_exit=0

say() { printf 'run.sh: %s\n' "$*" >&2; }

cleanup() {
  if [[ $stop_at_exit == 1 ]]; then
    if [[ ${FM_TEST_KEEP_BROKER:-} == 1 ]]; then
      say "FM_TEST_KEEP_BROKER=1: leaving the broker running (stop it with: bash $BROKER stop)"
    else
      bash "$BROKER" stop || say "warning: stopping the broker failed"
    fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n ${FM_TEST_AMQP_URL:-} && ${FM_TEST_BROKER_LOCAL:-} != 1 ]]; then
  say "using the broker at FM_TEST_AMQP_URL"
elif bash "$BROKER" status >/dev/null 2>&1; then
  say "reusing the test broker that is already running; it stays running afterwards"
else
  stop_at_exit=1
  # A short broker heartbeat (4 s: RabbitMQ drops a silent client after ~8 s)
  # lets the heartbeat test show that a blocking callback loses the connection
  # in-process and keeps it in a worker thread.
  FM_TEST_BROKER_HEARTBEAT=${FM_TEST_BROKER_HEARTBEAT:-4} bash "$BROKER" start || exit 1
fi

# The Python-compatibility test publishes with Debian's pika, as Python fedora-messaging does.
if ! /usr/bin/python3 -c 'import pika' 2>/dev/null; then
  say "installing python3-pika (Debian package) for the Python-compatibility test"
  if command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pika >/dev/null; } ||
      say "warning: could not install python3-pika"
  fi
fi

set -a
eval "$(bash "$BROKER" env)" || exit 1
set +a

# Options go before the files; files given on the command line replace the full list.
options=()
files=()
for arg in "$@"; do
  if [[ $arg == -* ]]; then options+=("$arg"); else files+=("$arg"); fi
done
if ((${#files[@]} == 0)); then
  mapfile -t files < <(find test/integration -name '*.test.ts' | sort)
fi

node --import tsx --test --test-concurrency=1 --test-reporter=spec "${options[@]}" "${files[@]}"
exit $?
