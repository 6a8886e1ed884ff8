#!/usr/bin/env bash
# A private 3-node RabbitMQ 4 cluster on loopback, for the scale-out and failover tests.
#
#   test/broker/cluster.sh start|stop|status|env
#   test/broker/cluster.sh kill-node a|b|c|NODENAME     SIGKILL one node (beam and children)
#   test/broker/cluster.sh start-node a|b|c|NODENAME    boot it again; returns once it rejoined
#   test/broker/cluster.sh ctl a|b|c|NODENAME ARGS...   rabbitmqctl against that node
#
# The three nodes share one unpacked Debian trixie root, restored from the cached tarball that
# test/broker/rabbitmq.sh builds (and built by it when missing), one Erlang cookie, one private
# epmd and one mnesia base (each node's data in <base>/<nodename>); each has its own node name,
# ports, config file, log dir and pid file. They find each other by classic-config peer
# discovery and all boot at once. Every process carries FMTEST_BROKER_ID=<cluster dir>, which
# is how leftovers of a killed run are found, and never the single test broker's id; each
# node's processes also carry FMTEST_CLUSTER_NODE=<cluster dir>/<letter>, so that `kill-node`
# hits that node only (the shared epmd is started apart and carries no node's id).
# Measured (test-infrastructure-facts.md §8): up in 18-29 s from the cached root, ~380 MiB.
#
# Environment (all optional):
#   FM_CLUSTER_DIR          root and state             (/var/tmp/fm-cluster-test)
#   FM_CLUSTER_NODE_PREFIX  node names PREFIX-a@localhost, -b, -c   (fmcluster)
#   FM_CLUSTER_AMQP_PORT    node a's AMQP port; b and c take the next two      (7001)
#   FM_CLUSTER_MGMT_PORT    node a's management HTTP port; b, c the next two   (17001)
#   FM_CLUSTER_DIST_PORT    node a's Erlang distribution port; b, c the next two (27001)
#   FM_CLUSTER_CTL_PORT_MIN rabbitmqctl's distribution ports: 10 per node from here (27100)
#   FM_CLUSTER_EPMD_PORT    the cluster's own epmd     (15269)
#   FM_TEST_CACHE_DIR       where the cached root tarball lives (shared with rabbitmq.sh)
set -euo pipefail

readonly CLUSTER_SCRIPT="$(readlink -f "${BASH_SOURCE[0]}")"
readonly CLUSTER_DIR="${FM_CLUSTER_DIR:-/var/tmp/fm-cluster-test}"

# The helpers of the single-broker script (root restore/build, port_holder; and through it
# test/broker/_leftovers.sh: our_pids, kill_ours, mounts, remove_leftovers), pointed at the
# cluster's directory: ROOT is $CLUSTER_DIR/root, MARKER is FMTEST_BROKER_ID=$CLUSTER_DIR.
# Its own settings (FM_TEST_*_PORT) are not used here.
FM_TEST_BROKER_DIR="$CLUSTER_DIR" source "$(dirname "$CLUSTER_SCRIPT")/rabbitmq.sh"

PREFIX="${FM_CLUSTER_NODE_PREFIX:-fmcluster}"
AMQP_BASE="${FM_CLUSTER_AMQP_PORT:-7001}"
MGMT_BASE="${FM_CLUSTER_MGMT_PORT:-17001}"
DIST_BASE="${FM_CLUSTER_DIST_PORT:-27001}"
CTL_BASE="${FM_CLUSTER_CTL_PORT_MIN:-27100}"
CLUSTER_EPMD_PORT="${FM_CLUSTER_EPMD_PORT:-15269}"
readonly LETTERS=(a b c)
readonly CLUSTER_VAR="/var/lib/rabbitmq/fmcluster"   # as the nodes see it
readonly CLUSTER_VAR_HOST="$ROOT$CLUSTER_VAR"
readonly CLUSTER_STATE="$CLUSTER_DIR/cluster.state"
readonly CLUSTER_TIMEOUT_S=120
MODE=chroot
RMQ_BIN=/usr/lib/rabbitmq/bin

csay() { printf 'cluster.sh: %s\n' "$*" >&2; }
cdie() { csay "error: $*"; exit 1; }
# The shared helpers (test/broker/_leftovers.sh, rabbitmq.sh) speak as this script.
say() { csay "$@"; }
die() { cdie "$@"; }

index_of() { case "$1" in a) echo 0 ;; b) echo 1 ;; c) echo 2 ;; *) return 1 ;; esac; }
node_name() { echo "$PREFIX-$1@localhost"; }
amqp_port() { echo $((AMQP_BASE + $(index_of "$1"))); }
mgmt_port() { echo $((MGMT_BASE + $(index_of "$1"))); }
dist_port() { echo $((DIST_BASE + $(index_of "$1"))); }

# a, b, c or a full node name -> the letter.
letter_of() {
  local letter
  for letter in "${LETTERS[@]}"; do
    [[ $1 == "$letter" || $1 == "$(node_name "$letter")" ]] && { echo "$letter"; return 0; }
  done
  cdie "unknown node \"$1\"; the nodes are a, b, c ($(node_name a), $(node_name b), $(node_name c))"
}

node_marker() { echo "FMTEST_CLUSTER_NODE=$CLUSTER_DIR/$1"; }

# The environment of a node's server and of rabbitmqctl runs against it.
node_env() {
  local letter="$1" ctl_min
  ctl_min=$((CTL_BASE + 10 * $(index_of "$letter")))
  printf '%s\n' "$MARKER" "$(node_marker "$letter")" \
    "HOME=$CLUSTER_VAR/home" "LANG=C.UTF-8" "LC_ALL=C.UTF-8" \
    "PATH=$RMQ_BIN:/usr/sbin:/usr/bin:/sbin:/bin" \
    "RABBITMQ_NODENAME=$(node_name "$letter")" \
    "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1" \
    "RABBITMQ_NODE_PORT=$(amqp_port "$letter")" \
    "RABBITMQ_DIST_PORT=$(dist_port "$letter")" \
    "RABBITMQ_CTL_DIST_PORT_MIN=$ctl_min" \
    "RABBITMQ_CTL_DIST_PORT_MAX=$((ctl_min + 9))" \
    "ERL_EPMD_PORT=$CLUSTER_EPMD_PORT" \
    "ERL_EPMD_ADDRESS=127.0.0.1" \
    "RABBITMQ_CONFIG_FILE=$CLUSTER_VAR/$letter/rabbitmq.conf" \
    "RABBITMQ_ENABLED_PLUGINS_FILE=$CLUSTER_VAR/enabled_plugins" \
    "RABBITMQ_MNESIA_BASE=$CLUSTER_VAR/mnesia" \
    "RABBITMQ_LOG_BASE=$CLUSTER_VAR/$letter/log" \
    "RABBITMQ_PID_FILE=$CLUSTER_VAR/$letter/broker.pid" \
    "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
}

# Runs a command in the root as the rabbitmq user, with node $1's environment only.
as_node() {
  local letter="$1" envs
  shift
  mapfile -t envs < <(node_env "$letter")
  "${NODE_WRAPPER[@]}" chroot --userspec=rabbitmq:rabbitmq "$ROOT" /usr/bin/env -i "${envs[@]}" "$@"
}
NODE_WRAPPER=()

node_ctl() {
  local letter="$1" seconds="$2"
  shift 2
  local -a NODE_WRAPPER=(timeout "$seconds")
  as_node "$letter" "$RMQ_BIN/rabbitmqctl" -n "$(node_name "$letter")" "$@"
}

node_pids() { grep -lzxF "$(node_marker "$1")" /proc/[0-9]*/environ 2>/dev/null | sed 's|^/proc/||; s|/environ$||' || true; }

# --- configuration ---------------------------------------------------------------------

node_conf() {
  local letter="$1" other i=1
  cat <<EOF
# Written by test/broker/cluster.sh; regenerated at every start.
listeners.tcp.1 = 127.0.0.1:$(amqp_port "$letter")
management.tcp.ip = 127.0.0.1
management.tcp.port = $(mgmt_port "$letter")
loopback_users.guest = true
collect_statistics_interval = 500
log.file.level = info
log.console = false
cluster_formation.peer_discovery_backend = classic_config
EOF
  for other in "${LETTERS[@]}"; do
    echo "cluster_formation.classic_config.nodes.$i = $(node_name "$other")"
    i=$((i + 1))
  done
}

write_cluster_conf() {
  local letter
  rm -rf "$CLUSTER_VAR_HOST"
  mkdir -p "$CLUSTER_VAR_HOST/home" "$CLUSTER_VAR_HOST/mnesia"
  for letter in "${LETTERS[@]}"; do
    mkdir -p "$CLUSTER_VAR_HOST/$letter/log"
    node_conf "$letter" >"$CLUSTER_VAR_HOST/$letter/rabbitmq.conf"
  done
  echo '[rabbitmq_management].' >"$CLUSTER_VAR_HOST/enabled_plugins"
  # One cookie for all three, written before the first boot (Erlang insists on mode 400).
  head -c 30 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$CLUSTER_VAR_HOST/home/.erlang.cookie"
  chmod 400 "$CLUSTER_VAR_HOST/home/.erlang.cookie"
  chroot "$ROOT" chown -R rabbitmq:rabbitmq "$CLUSTER_VAR"
}

fingerprint() {
  { printf '%s\n' "$CLUSTER_SCRIPT" "$PREFIX" "$AMQP_BASE" "$MGMT_BASE" "$DIST_BASE" "$CTL_BASE" "$CLUSTER_EPMD_PORT"
    node_conf a | grep -v '^#'; } | md5sum | cut -d' ' -f1
}

# --- processes ---------------------------------------------------------------------------

check_cluster_ports_free() {
  local letter port holder
  for port in "$CLUSTER_EPMD_PORT" $(for letter in "${LETTERS[@]}"; do amqp_port "$letter"; mgmt_port "$letter"; dist_port "$letter"; done); do
    holder="$(port_holder "$port")"
    [[ -z $holder ]] || cdie "port $port is busy: held by $holder; free it or choose other FM_CLUSTER_*_PORT values"
  done
}

clean_cluster_leftovers() {
  remove_leftovers cluster "$ROOT" "$CLUSTER_STATE" "$CLUSTER_VAR_HOST" "${1:-}"
}

# The shared epmd, started apart from the nodes so that killing a node leaves it running.
start_epmd() {
  local -a envs=("$MARKER" "PATH=/usr/bin:/bin" "ERL_EPMD_PORT=$CLUSTER_EPMD_PORT" "ERL_EPMD_ADDRESS=127.0.0.1")
  chroot --userspec=rabbitmq:rabbitmq "$ROOT" /usr/bin/env -i "${envs[@]}" epmd -daemon 9>&-
  local i
  for i in $(seq 1 50); do port_open "$CLUSTER_EPMD_PORT" && return 0; sleep 0.1; done
  cdie "epmd did not listen on port $CLUSTER_EPMD_PORT"
}

launch_node() {
  local letter="$1" out="$CLUSTER_VAR_HOST/$1/log/server.out"
  rm -f "$CLUSTER_VAR_HOST/$letter/broker.pid"
  chroot "$ROOT" chown rabbitmq:rabbitmq "$CLUSTER_VAR/$letter"
  local -a NODE_WRAPPER=(setsid)
  as_node "$letter" "$RMQ_BIN/rabbitmq-server" >"$out" 2>&1 </dev/null 9>&- &
  disown
}

wait_node_booted() {
  local letter="$1" deadline="$2" out="$CLUSTER_VAR_HOST/$1/log/server.out"
  until node_ctl "$letter" 20 await_startup --timeout 5 >/dev/null 2>&1; do
    if [[ -z $(node_pids "$letter") ]] || grep -q 'BOOT FAILED' "$out" 2>/dev/null; then
      tail -n 30 "$out" >&2 || true
      cdie "node $(node_name "$letter") exited during boot; log: $CLUSTER_VAR_HOST/$letter/log"
    fi
    (( $(date +%s) < deadline )) || cdie "node $(node_name "$letter") did not boot in ${CLUSTER_TIMEOUT_S}s; log: $CLUSTER_VAR_HOST/$letter/log"
    sleep 0.5
  done
}

# How many nodes `letter` sees running in its cluster.
running_nodes_seen_by() {
  node_ctl "$1" 20 cluster_status --formatter json 2>/dev/null \
    | grep -o '"running_nodes":\[[^]]*\]' | grep -o "\"$PREFIX-[abc]@localhost\"" | sort -u | wc -l
}

wait_clustered() {
  local letter="$1" deadline="$2"
  until [[ $(running_nodes_seen_by "$letter") == 3 ]]; do
    (( $(date +%s) < deadline )) || cdie "node $(node_name "$letter") does not see three running nodes after ${CLUSTER_TIMEOUT_S}s: $(node_ctl "$letter" 20 cluster_status 2>&1 | tr '\n' ' ')"
    sleep 0.5
  done
}

wait_http() {
  local letter="$1" deadline="$2" MGMT_PORT
  MGMT_PORT="$(mgmt_port "$letter")"
  until [[ $(mgmt_status /api/overview) == 200 ]]; do
    (( $(date +%s) < deadline )) || cdie "the management API of $(node_name "$letter") on port $MGMT_PORT did not answer in ${CLUSTER_TIMEOUT_S}s"
    sleep 0.2
  done
}

record_cluster_state() {
  local letter pid
  { echo "fingerprint=$(fingerprint)"
    for letter in "${LETTERS[@]}"; do
      pid="$(cat "$CLUSTER_VAR_HOST/$letter/broker.pid" 2>/dev/null || true)"
      [[ -n $pid && -d /proc/$pid ]] || cdie "node $letter is up but its pid file is missing"
      echo "pid_$letter=$pid"
      echo "starttime_$letter=$(proc_start_time "$pid")"
    done
    echo "started_at=$(date -Is)"
  } >"$CLUSTER_STATE"
}

# All three nodes the processes the state file recorded, their ports open, clustered.
cluster_healthy() {
  [[ -f $CLUSTER_STATE ]] || return 1
  [[ $(sed -n 's/^fingerprint=//p' "$CLUSTER_STATE") == "$(fingerprint)" ]] || return 1
  local letter pid start
  for letter in "${LETTERS[@]}"; do
    pid="$(sed -n "s/^pid_$letter=//p" "$CLUSTER_STATE")"
    start="$(sed -n "s/^starttime_$letter=//p" "$CLUSTER_STATE")"
    [[ -n $pid && -d /proc/$pid && $(proc_start_time "$pid") == "$start" ]] || return 1
    port_open "$(amqp_port "$letter")" || return 1
  done
  port_open "$CLUSTER_EPMD_PORT" && [[ $(running_nodes_seen_by a) == 3 ]]
}

# --- commands ----------------------------------------------------------------------------

cluster_start() {
  local t0 letter deadline version
  t0="$(now_ms)"
  if cluster_healthy; then csay "already running ($(node_name a), $(node_name b), $(node_name c))"; return 0; fi
  clean_cluster_leftovers
  check_cluster_ports_free
  ensure_cached_root
  version="$(installed_version "$ROOT")"
  version_at_least_4 "$version" || cdie "RabbitMQ $version found in $ROOT, need >= 4.0"
  write_cluster_conf
  csay "starting a 3-node RabbitMQ $version cluster: amqp $(amqp_port a)-$(amqp_port c), http $(mgmt_port a)-$(mgmt_port c), dist $(dist_port a)-$(dist_port c), epmd $CLUSTER_EPMD_PORT"
  trap 'clean_cluster_leftovers quiet' EXIT
  mount -t proc proc "$ROOT/proc"
  start_epmd
  for letter in "${LETTERS[@]}"; do launch_node "$letter"; done
  deadline=$(( $(date +%s) + CLUSTER_TIMEOUT_S ))
  for letter in "${LETTERS[@]}"; do wait_node_booted "$letter" "$deadline"; done
  wait_clustered a "$deadline"
  for letter in "${LETTERS[@]}"; do wait_http "$letter" "$deadline"; done
  record_cluster_state
  trap - EXIT
  csay "three nodes running and clustered in $(( $(now_ms) - t0 ))ms"
}

# The root comes from the single broker's cached tarball; without one, rabbitmq.sh builds it.
ensure_cached_root() {
  if [[ ! -f $TARBALL && ! -f $ROOT/.fmtest-root-complete ]]; then
    csay "no cached broker root at $TARBALL: building it (once) with test/broker/rabbitmq.sh"
  fi
  ensure_root
}

cluster_stop() {
  local t0 letter
  t0="$(now_ms)"
  if [[ -n $(our_pids) ]]; then
    csay "stopping $(node_name a), $(node_name b), $(node_name c)"
    for letter in "${LETTERS[@]}"; do
      [[ -z $(node_pids "$letter") ]] || node_ctl "$letter" 30 shutdown >/dev/null 2>&1 &
    done
    wait || true
  fi
  clean_cluster_leftovers quiet
  verify_no_leftovers cluster "$ROOT"
  csay "stopped in $(( $(now_ms) - t0 ))ms"
}

cluster_status() {
  if cluster_healthy; then
    echo "running: $(node_name a) amqp://127.0.0.1:$(amqp_port a), $(node_name b) :$(amqp_port b), $(node_name c) :$(amqp_port c) ($(sed -n 's/^started_at=/since /p' "$CLUSTER_STATE"))"
    return 0
  fi
  if [[ -n $(our_pids) ]]; then echo "degraded or unhealthy: cluster processes exist but not three clustered nodes (start replaces them)"; return 1; fi
  echo "stopped"
  return 3
}

cluster_env() {
  local letter urls=() mgmt=() nodes=()
  for letter in "${LETTERS[@]}"; do
    urls+=("amqp://guest:guest@127.0.0.1:$(amqp_port "$letter")/")
    mgmt+=("http://guest:guest@127.0.0.1:$(mgmt_port "$letter")")
    nodes+=("$(node_name "$letter")")
  done
  echo "FM_CLUSTER_AMQP_URLS=\"${urls[*]}\""
  echo "FM_CLUSTER_MGMT_URLS=\"${mgmt[*]}\""
  echo "FM_CLUSTER_NODES=\"${nodes[*]}\""
}

kill_node() {
  local letter pids
  letter="$(letter_of "$1")"
  mapfile -t pids < <(node_pids "$letter")
  ((${#pids[@]})) || cdie "node $(node_name "$letter") is not running"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do [[ -z $(node_pids "$letter") ]] && { csay "killed $(node_name "$letter")"; return 0; }; sleep 0.05; done
  cdie "node $(node_name "$letter") survived SIGKILL: $(node_pids "$letter" | tr '\n' ' ')"
}

start_node() {
  local letter deadline t0
  t0="$(now_ms)"
  letter="$(letter_of "$1")"
  [[ -z $(node_pids "$letter") ]] || cdie "node $(node_name "$letter") is already running"
  find "$CLUSTER_VAR_HOST/mnesia/$(node_name "$letter")" -maxdepth 1 -name '*.lock' -delete 2>/dev/null || true
  launch_node "$letter"
  deadline=$(( $(date +%s) + CLUSTER_TIMEOUT_S ))
  wait_node_booted "$letter" "$deadline"
  wait_clustered "$letter" "$deadline"
  wait_http "$letter" "$deadline"
  record_cluster_state
  csay "$(node_name "$letter") back and clustered in $(( $(now_ms) - t0 ))ms"
}

cluster_main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    start|stop|status|env|kill-node|start-node|ctl) ;;
    *) echo "usage: $0 start|stop|status|env|kill-node NODE|start-node NODE|ctl NODE ARGS..." >&2; exit 2 ;;
  esac
  case "$cmd" in
    status) cluster_status; return ;;
    env) cluster_env; return ;;
  esac
  [[ $(id -u) == 0 ]] || cdie "$cmd needs root (it uses chroot and mount)"
  mkdir -p "$CLUSTER_DIR"
  exec 9>"$CLUSTER_DIR/lock"
  flock -w 600 9 || cdie "another cluster.sh holds $CLUSTER_DIR/lock"
  case "$cmd" in
    start) cluster_start ;;
    stop) cluster_stop ;;
    kill-node) kill_node "${1:?a node: a, b or c}" ;;
    start-node) start_node "${1:?a node: a, b or c}" ;;
    ctl) local letter; letter="$(letter_of "${1:?a node: a, b or c}")"; shift; node_ctl "$letter" 60 "$@" ;;
  esac
}

cluster_main "$@"
