# Sourced by test/broker/rabbitmq.sh (and through it by test/broker/cluster.sh): finding and
# removing what a broker run leaves behind. Every process of a run carries $MARKER in its
# environment (FMTEST_BROKER_ID=<its directory>), which is how they are found without matching
# process names; the caller defines MARKER, say and die before calling these.

# Pids of every process carrying our marker (the server tree and any CLI run).
our_pids() {
  local environ pid
  # One grep over all environ files: a loop of greps takes a second on a busy machine.
  grep -lzxF "$MARKER" /proc/[0-9]*/environ 2>/dev/null | while read -r environ; do
    pid="${environ#/proc/}"; pid="${pid%/environ}"
    [[ $pid == "$$" ]] || printf '%s\n' "$pid"
  done
  return 0
}

# Mount points at or below $1, deepest first.
mounts_under() {
  awk -v root="$1" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

unmount_under() {
  local mnt
  while read -r mnt; do
    [[ -n $mnt ]] || continue
    umount "$mnt" 2>/dev/null || umount -l "$mnt" || say "warning: could not unmount $mnt"
  done < <(mounts_under "$1")
}

kill_ours() {
  local -a pids
  mapfile -t pids < <(our_pids)
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do  # RabbitMQ shuts down cleanly on SIGTERM within a few seconds
    mapfile -t pids < <(our_pids)
    ((${#pids[@]})) || return 0
    sleep 0.1
  done
  say "killing leftover broker processes: ${pids[*]}"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.2
}

# Removes whatever a killed earlier run left behind: processes, mounts under ROOT (none when
# ROOT is empty: a broker installed on the host), the state file, the nodes' pid files (in VAR
# or a directory below it) and mnesia lock files (a killed node leaves some that would stop
# the next boot). With QUIET non-empty nothing is reported (after a shutdown, epmd and the
# proc mount are expected).
#   remove_leftovers WHAT ROOT STATE_FILE VAR [QUIET]      WHAT: "broker" or "cluster"
remove_leftovers() {
  local what="$1" root="$2" state="$3" var="$4" quiet="${5:-}" pids mounts
  pids="$(our_pids | tr '\n' ' ')"
  if [[ -n $pids && -z $quiet ]]; then say "stopping $what processes not recorded as a healthy $what: $pids"; fi
  kill_ours
  if [[ -n $root ]]; then
    mounts="$(mounts_under "$root" | tr '\n' ' ')"
    if [[ -n $mounts && -z $quiet ]]; then say "unmounting leftovers of an earlier run: $mounts"; fi
    unmount_under "$root"
  fi
  rm -f "$state"
  [[ -d $var ]] || return 0
  find "$var" -maxdepth 2 -name broker.pid -delete 2>/dev/null || true
  find "$var/mnesia" -maxdepth 2 -name '*.lock' -delete 2>/dev/null || true
}

# Dies when a stop left a process or a mount (under ROOT, unless empty) behind.
#   verify_no_leftovers WHAT ROOT
verify_no_leftovers() {
  local what="$1" root="$2" pids mounts
  pids="$(our_pids | tr '\n' ' ')"
  [[ -z $pids ]] || die "$what processes still running after stop: $pids"
  [[ -n $root ]] || return 0
  mounts="$(mounts_under "$root" | tr '\n' ' ')"
  [[ -z $mounts ]] || die "mounts left after stop: $mounts"
}
