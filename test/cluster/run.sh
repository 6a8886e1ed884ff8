#!/usr/bin/env bash
# Runs the scale-out tests (test/cluster/*.test.ts) on the 3-node cluster of
# test/broker/cluster.sh: starts it (unless one is already running: then it is reused and
# left running), exports what `cluster.sh env` prints, runs the files one at a time, and
# stops the cluster it started, also on failure or Ctrl-C.
#   bash test/cluster/run.sh [node --test options] [test files]
# FM_CLUSTER_KEEP=1 leaves a cluster this script started running (quicker reruns).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
readonly CLUSTER=test/broker/cluster.sh
stop_at_exit=0

say() { printf 'cluster/run.sh: %s\n' "$*" >&2; }

cleanup() {
  [[ $stop_at_exit == 1 ]] || return 0
  if [[ ${FM_CLUSTER_KEEP:-} == 1 ]]; then
    say "FM_CLUSTER_KEEP=1: leaving the cluster running (stop it with: bash $CLUSTER stop)"
  else
    bash "$CLUSTER" stop || say "warning: stopping the cluster failed"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if bash "$CLUSTER" status >/dev/null 2>&1; then
  say "reusing the cluster that is already running; it stays running afterwards"
else
  stop_at_exit=1
  bash "$CLUSTER" start || exit 1
fi

set -a
eval "$(bash "$CLUSTER" env)" || exit 1
set +a

# shellcheck source=../support/run-node-tests.sh
source test/support/run-node-tests.sh
run_node_tests test/cluster "$@"
exit $?
