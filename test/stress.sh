#!/usr/bin/env bash
# Runs the whole test suite (`npm test`) N times in a row while a CPU hog keeps
# every core busy, to shake out tests that wait for a log line or a sleep
# instead of the condition they assert. Not part of `npm test`: it takes N times
# as long as the suite (each run starts and stops its own broker).
#
#   bash test/stress.sh [N]          N defaults to 5
#
# - FM_STRESS_HOGS: how many busy-looping processes (default: one per core).
# - FM_STRESS_KEEP_GOING=1: run all N even after a failure (default: stop at the first).
# Prints one line per run (result, duration) and, at the end, the slowest tests over all
# runs; each run's full output stays in the log directory it names.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly runs="${1:-5}"
readonly hogs="${FM_STRESS_HOGS:-$(nproc)}"
readonly logs="$(mktemp -d "${TMPDIR:-/tmp}/fm-stress.XXXXXX")"
hog_pids=()

say() { printf 'stress.sh: %s\n' "$*" >&2; }

stop_hogs() {
  ((${#hog_pids[@]} == 0)) || kill "${hog_pids[@]}" 2>/dev/null
  hog_pids=()
}
trap stop_hogs EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for ((i = 0; i < hogs; i++)); do
  # A plain shell busy loop: no I/O, never yields the core on its own.
  sh -c 'while :; do :; done' &
  hog_pids+=("$!")
done
say "$hogs CPU hog(s) running; $runs run(s) of npm test; logs in $logs"

failed=0
for ((run = 1; run <= runs; run++)); do
  log="$logs/run-$run.log"
  started=$(date +%s)
  npm test >"$log" 2>&1
  code=$?
  seconds=$(($(date +%s) - started))
  if ((code == 0)); then
    say "run $run: passed in ${seconds} s"
  else
    failed=$((failed + 1))
    say "run $run: FAILED (exit $code) in ${seconds} s; failing tests:"
    grep -E '^\s*✖' "$log" | sort -u | head -20 >&2
    [[ ${FM_STRESS_KEEP_GOING:-} == 1 ]] || break
  fi
done
stop_hogs

# node:test's spec reporter ends each test line with its duration: "✔ name (1234.5ms)"; suites
# end the same way but also open with "▶ name", which is how they are left out.
say "slowest tests over all runs (ms, run log):"
sed -nE 's/^\s*▶ (.*)$/\1/p' "$logs"/run-*.log | sort -u >"$logs/suites"
grep -HoE '^\s*✔ .* \([0-9.]+ms\)$' "$logs"/run-*.log |
  sed -E 's/^([^:]*):\s*✔ (.*) \(([0-9.]+)ms\)$/\3\t\1\t\2/' |
  awk -F'\t' 'NR == FNR { suite[$0] = 1; next } !($3 in suite)' "$logs/suites" - |
  sort -rn | head -15 | awk -F'\t' '{ printf "  %8.0f  %s  %s\n", $1, $2, $3 }' >&2

((failed == 0)) && say "all $((run - 1)) run(s) passed" && exit 0
say "$failed run(s) failed"
exit 1
