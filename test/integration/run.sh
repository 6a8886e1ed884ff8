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
# - A broker this script starts also listens for TLS (FM_TEST_TLS_PORT, 5681) with a PKI made
#   afresh for the run (test/broker/test-pki.sh) and SASL EXTERNAL; the TLS tests find it
#   through FM_TEST_TLS_DIR and FM_TEST_TLS_URL, and skip when they are unset (a reused or
#   external broker).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
readonly BROKER=test/broker/rabbitmq.sh
readonly PKI=test/broker/test-pki.sh
stop_at_exit=0
tls_dir=""

say() { printf 'run.sh: %s\n' "$*" >&2; }

cleanup() {
  if [[ $stop_at_exit == 1 ]]; then
    if [[ ${FM_TEST_KEEP_BROKER:-} == 1 ]]; then
      say "FM_TEST_KEEP_BROKER=1: leaving the broker running (stop it with: bash $BROKER stop)"
    else
      bash "$BROKER" stop || say "warning: stopping the broker failed"
    fi
  fi
  if [[ -n $tls_dir ]]; then
    if [[ ${FM_TEST_KEEP_BROKER:-} == 1 ]]; then say "the broker's test PKI stays in $tls_dir"; else rm -rf "$tls_dir"; fi
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
  export FM_TEST_BROKER_HEARTBEAT=${FM_TEST_BROKER_HEARTBEAT:-4}
  # TLS: keys made now and removed at exit, never kept between runs.
  tls_dir="$(mktemp -d "${TMPDIR:-/tmp}/fm-test-tls.XXXXXX")" || exit 1
  bash "$PKI" "$tls_dir" || { say "could not make the test PKI"; exit 1; }
  tls_port=${FM_TEST_TLS_PORT:-5681}
  {
    # The broker's certificate names localhost and 127.0.0.1 only: a second listener on
    # 127.0.0.2 (loopback too on Linux) lets tls.test.ts prove hostnames are verified.
    echo "listeners.ssl.2 = 127.0.0.2:$tls_port"
    # Ask for a client certificate without requiring one: PLAIN over TLS works too.
    echo "ssl_options.verify = verify_peer"
    echo "ssl_options.fail_if_no_peer_cert = false"
    # RabbitMQ's default list plus EXTERNAL (which it offers on TLS connections only).
    echo "auth_mechanisms.1 = PLAIN"
    echo "auth_mechanisms.2 = AMQPLAIN"
    echo "auth_mechanisms.3 = EXTERNAL"
    echo "auth_mechanisms.4 = ANONYMOUS"
    # The EXTERNAL user is the certificate's CN (fm-tls-client), not its whole DN.
    echo "ssl_cert_login_from = common_name"
    if [[ -n ${FM_TEST_BROKER_EXTRA_CONF:-} ]]; then cat "$FM_TEST_BROKER_EXTRA_CONF" || exit 1; fi
  } >"$tls_dir/rabbitmq-tls.conf"
  # Exported: a test that restarts the broker (test/support/broker.ts) keeps these settings.
  export FM_TEST_BROKER_TLS_DIR="$tls_dir" FM_TEST_BROKER_EXTRA_CONF="$tls_dir/rabbitmq-tls.conf"
  bash "$BROKER" start || exit 1
  export FM_TEST_TLS_DIR="$tls_dir" FM_TEST_TLS_URL="amqps://localhost:$tls_port/"
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

# shellcheck source=../support/run-node-tests.sh
source test/support/run-node-tests.sh
run_node_tests test/integration "$@"
exit $?
