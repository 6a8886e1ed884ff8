#!/usr/bin/env bash
# A private RabbitMQ >= 4 on loopback for the integration tests.
#
#   test/broker/rabbitmq.sh start|stop|restart|status|env|ctl ARGS...
#
# Where the broker comes from, in order of preference:
#   1. FM_TEST_AMQP_URL is set: that broker is used; start/stop do nothing.
#   2. a rabbitmq-server >= 4 installed on this host, run as a private node.
#   3. a Debian trixie chroot (debootstrap minbase + rabbitmq-server 4.0.x), built once
#      and cached as a zstd tarball so that later starts restore it in seconds.
# Bookworm's RabbitMQ 3.10 drops fedora-messaging headers over AMQP 1.0, hence trixie.
#
# Environment (all optional):
#   FM_TEST_AMQP_URL, FM_TEST_MGMT_URL   use an external broker instead (ignored when
#                        FM_TEST_BROKER_LOCAL=1, which `env` prints for this script's broker)
#   FM_TEST_CACHE_DIR    cached root tarball   (/var/cache/fedora-messaging-test)
#   FM_TEST_BROKER_DIR   unpacked root, state  (/var/tmp/fedora-messaging-test-broker)
#   FM_TEST_AMQP_PORT 5682  FM_TEST_MGMT_PORT 15682  FM_TEST_DIST_PORT 25682
#   FM_TEST_EPMD_PORT 14369 FM_TEST_TLS_PORT 5681  FM_TEST_CTL_PORT_MIN 25683
#   FM_TEST_NODENAME fmtest@localhost
#   FM_TEST_BROKER_HEARTBEAT  seconds (RabbitMQ `heartbeat`); default: RabbitMQ's own
#   FM_TEST_BROKER_EXTRA_CONF a file whose lines are appended to rabbitmq.conf
#   FM_TEST_BROKER_TLS_DIR    a directory holding ca.pem, server.pem and server.key (e.g. made
#                        by test/broker/test-pki.sh): they are copied where the broker can read
#                        them and a TLS listener opens on 127.0.0.1:FM_TEST_TLS_PORT. Peer
#                        verification and auth mechanisms are left to FM_TEST_BROKER_EXTRA_CONF.
#   FM_TEST_KEEP_DATA=1       `start` keeps queues from the previous run (restart always does)
#   FM_TEST_DEBIAN_MIRROR     (http://deb.debian.org/debian)
#   FM_TEST_FORCE_CHROOT=1    ignore a rabbitmq-server installed on the host
set -euo pipefail

readonly SCRIPT_PATH="$(readlink -f "${BASH_SOURCE[0]}")"
# our_pids, kill_ours, mounts_under, unmount_under, remove_leftovers, verify_no_leftovers.
# shellcheck source=_leftovers.sh
source "$(dirname "$SCRIPT_PATH")/_leftovers.sh"
# Bump when the way the root is built changes, so that an old cached tarball is not reused.
readonly ROOT_RECIPE="trixie-minbase-rabbitmq-v1"

CACHE_DIR="${FM_TEST_CACHE_DIR:-/var/cache/fedora-messaging-test}"
BROKER_DIR="${FM_TEST_BROKER_DIR:-/var/tmp/fedora-messaging-test-broker}"
AMQP_PORT="${FM_TEST_AMQP_PORT:-5682}"
MGMT_PORT="${FM_TEST_MGMT_PORT:-15682}"
DIST_PORT="${FM_TEST_DIST_PORT:-25682}"
EPMD_PORT="${FM_TEST_EPMD_PORT:-14369}"
TLS_PORT="${FM_TEST_TLS_PORT:-5681}"
CTL_PORT_MIN="${FM_TEST_CTL_PORT_MIN:-25683}"
CTL_PORT_MAX="$((CTL_PORT_MIN + 9))"
NODENAME="${FM_TEST_NODENAME:-fmtest@localhost}"
MIRROR="${FM_TEST_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
HEARTBEAT="${FM_TEST_BROKER_HEARTBEAT:-}"
EXTRA_CONF="${FM_TEST_BROKER_EXTRA_CONF:-}"
TLS_DIR="${FM_TEST_BROKER_TLS_DIR:-}"
readonly TLS_FILES=(ca.pem server.pem server.key)

readonly TARBALL="$CACHE_DIR/$ROOT_RECIPE.tar.zst"
readonly ROOT="$BROKER_DIR/root"
readonly STATE_FILE="$BROKER_DIR/broker.state"
readonly LOCK_FILE="$BROKER_DIR/lock"
# Every process of our broker (beam, epmd, erl_child_setup, CLI runs) carries this variable,
# which is how leftovers are found again without matching process names.
readonly MARKER="FMTEST_BROKER_ID=$BROKER_DIR"
readonly START_TIMEOUT_S=90
readonly BUILD_STEPS_LOG="$BROKER_DIR/build.log"

MODE=""          # chroot | host
VAR_DIR=""       # broker's own directory as the broker sees it
VAR_DIR_HOST=""  # the same directory as seen from this script
BROKER_HOME=""   # HOME for server and CLI (holds the Erlang cookie)
RMQ_BIN=""       # directory holding rabbitmq-server and rabbitmqctl, as the broker sees it

say() { printf 'rabbitmq.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
now_ms() { date +%s%3N; }

# --- mode selection ---------------------------------------------------------------------

# Prints the RabbitMQ version installed under a root ("" or "/"), or nothing.
installed_version() {
  local dir
  for dir in "$1"/usr/lib/rabbitmq/lib/rabbitmq_server-*; do
    [[ -d $dir ]] && { printf '%s\n' "${dir##*rabbitmq_server-}"; return 0; }
  done
  return 0
}

version_at_least_4() { [[ ${1%%.*} =~ ^[0-9]+$ ]] && (( ${1%%.*} >= 4 )); }

select_mode() {
  local host_version
  host_version="$(installed_version "")"
  if [[ ${FM_TEST_FORCE_CHROOT:-} != 1 && -n $host_version ]] && version_at_least_4 "$host_version" \
      && [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
    MODE=host
    VAR_DIR="$BROKER_DIR/host"
    VAR_DIR_HOST="$VAR_DIR"
    BROKER_HOME="$VAR_DIR/home"
  else
    MODE=chroot
    VAR_DIR="/var/lib/rabbitmq/fmtest"
    VAR_DIR_HOST="$ROOT$VAR_DIR"
    BROKER_HOME="/var/lib/rabbitmq"
  fi
  RMQ_BIN=/usr/lib/rabbitmq/bin
}

broker_version() {
  if [[ $MODE == host ]]; then installed_version ""; else installed_version "$ROOT"; fi
}

require_root() {
  [[ $(id -u) == 0 ]] || die "$1 needs root (it uses chroot and mount): sudo bash $SCRIPT_PATH $1"
}

# --- running things as the broker -------------------------------------------------------

# The environment shared by the server and the CLI: node name, private epmd and ports.
broker_env() {
  printf '%s\n' "$MARKER" \
    "HOME=$BROKER_HOME" "LANG=C.UTF-8" "LC_ALL=C.UTF-8" \
    "PATH=$RMQ_BIN:/usr/sbin:/usr/bin:/sbin:/bin" \
    "RABBITMQ_NODENAME=$NODENAME" \
    "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1" \
    "RABBITMQ_NODE_PORT=$AMQP_PORT" \
    "RABBITMQ_DIST_PORT=$DIST_PORT" \
    "RABBITMQ_CTL_DIST_PORT_MIN=$CTL_PORT_MIN" \
    "RABBITMQ_CTL_DIST_PORT_MAX=$CTL_PORT_MAX" \
    "ERL_EPMD_PORT=$EPMD_PORT" \
    "ERL_EPMD_ADDRESS=127.0.0.1" \
    "RABBITMQ_CONFIG_FILE=$VAR_DIR/rabbitmq.conf" \
    "RABBITMQ_ENABLED_PLUGINS_FILE=$VAR_DIR/enabled_plugins" \
    "RABBITMQ_MNESIA_BASE=$VAR_DIR/mnesia" \
    "RABBITMQ_LOG_BASE=$VAR_DIR/log" \
    "RABBITMQ_PID_FILE=$VAR_DIR/broker.pid" \
    "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
}

# Runs a command as the broker's user, inside the chroot or on the host, with broker_env only.
# A plain command (not a function), so that `setsid` and `timeout` can wrap it.
as_broker() {
  local -a envs prefix
  mapfile -t envs < <(broker_env)
  if [[ $MODE == chroot ]]; then
    prefix=(chroot --userspec=rabbitmq:rabbitmq "$ROOT")
  elif [[ $(id -u) == 0 ]] && id rabbitmq >/dev/null 2>&1; then
    prefix=(runuser -u rabbitmq --)
  else
    prefix=()
  fi
  "${BROKER_WRAPPER[@]}" "${prefix[@]}" /usr/bin/env -i "${envs[@]}" "$@"
}
BROKER_WRAPPER=()

ctl() { as_broker "$RMQ_BIN/rabbitmqctl" -n "$NODENAME" "$@"; }

# rabbitmqctl with a deadline, for calls that must not hang a test run.
ctl_within() {
  local -a BROKER_WRAPPER=(timeout "$1")
  shift
  ctl "$@"
}

# --- processes, mounts, ports -----------------------------------------------------------

# "NAME (pid N)" of what listens on a TCP port, or nothing when the port is free.
port_holder() {
  local line
  line="$(ss -Hltnp "sport = :$1" 2>/dev/null | head -n1)"
  [[ -n $line ]] || return 0
  if [[ $line =~ users:\(\(\"([^\"]*)\",pid=([0-9]+) ]]; then
    printf '%s (pid %s)\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  else
    echo "an unknown process"
  fi
}

check_ports_free() {
  local spec name port holder
  for spec in "AMQP:$AMQP_PORT" "management HTTP:$MGMT_PORT" "Erlang distribution:$DIST_PORT" \
      "epmd:$EPMD_PORT" "TLS:$TLS_PORT"; do
    name="${spec%%:*}"; port="${spec##*:}"
    holder="$(port_holder "$port")"
    [[ -z $holder ]] || die "port $port ($name) is busy: held by $holder; free it or choose other FM_TEST_*_PORT values"
  done
}

# --- HTTP and health ---------------------------------------------------------------------

# Status code of GET http://127.0.0.1:$MGMT_PORT$1 as guest, or 000. No curl needed.
mgmt_status() (
  local line=""
  exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$MGMT_PORT" || { echo 000; exit 0; }
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Basic %s\r\n\r\n' \
    "$1" "$(printf 'guest:guest' | base64)" >&3
  IFS= read -r -t 5 line <&3 || true
  line="${line#HTTP/* }"
  printf '%s\n' "${line:0:3}"
)

port_open() ( exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1" )

proc_start_time() { awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null || true; }

# Identifies the settings a broker was started with (comments in the config do not count).
config_fingerprint() {
  { printf '%s\n' "$MODE" "$NODENAME" "$AMQP_PORT" "$MGMT_PORT" "$DIST_PORT" "$EPMD_PORT" "$SCRIPT_PATH"
    generate_conf | grep -v '^#'
    # The same paths with new certificates (a fresh test PKI) are other settings.
    if [[ -n $TLS_DIR ]]; then (cd "$TLS_DIR" && cat "${TLS_FILES[@]}") 2>/dev/null || true; fi
  } | md5sum | cut -d' ' -f1
}

# True when the broker recorded in STATE_FILE was started by this script with the same
# settings, is still the same process, and answers on AMQP and HTTP.
ours_and_healthy() {
  [[ -f $STATE_FILE ]] || return 1
  local pid start fingerprint
  pid="$(sed -n 's/^pid=//p' "$STATE_FILE")"
  start="$(sed -n 's/^starttime=//p' "$STATE_FILE")"
  fingerprint="$(sed -n 's/^fingerprint=//p' "$STATE_FILE")"
  [[ -n $pid && -d /proc/$pid && $(proc_start_time "$pid") == "$start" ]] || return 1
  [[ $fingerprint == "$(config_fingerprint)" ]] || { say "settings changed since the broker started"; return 1; }
  # epmd too: without it rabbitmqctl (ctl, stop) cannot find the node.
  port_open "$AMQP_PORT" && port_open "$EPMD_PORT" && [[ $(mgmt_status /api/overview) == 200 ]] \
    && { [[ -z $TLS_DIR ]] || port_open "$TLS_PORT"; }
}

# --- configuration -------------------------------------------------------------------

generate_conf() {
  cat <<EOF
# Written by test/broker/rabbitmq.sh; regenerated at every start.
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
loopback_users.guest = true
# Consumers and connections show in the management API within ~1 s instead of ~5 s.
# (Queue message counts in the statistics still lag ~5 s: test/support/management.ts
# reads them with ?disable_stats=true&enable_queue_totals=true, which is immediate.)
collect_statistics_interval = 500
log.file.level = info
log.console = false
EOF
  [[ -z $HEARTBEAT ]] || printf 'heartbeat = %s\n' "$HEARTBEAT"
  if [[ -n $TLS_DIR ]]; then
    # Files as the broker sees them: copied by write_conf into its own directory.
    cat <<EOF
listeners.ssl.1 = 127.0.0.1:$TLS_PORT
ssl_options.cacertfile = $VAR_DIR/tls/ca.pem
ssl_options.certfile = $VAR_DIR/tls/server.pem
ssl_options.keyfile = $VAR_DIR/tls/server.key
EOF
  fi
  if [[ -n $EXTRA_CONF ]]; then
    [[ -r $EXTRA_CONF ]] || die "FM_TEST_BROKER_EXTRA_CONF=$EXTRA_CONF is not readable"
    printf '# From %s\n' "$EXTRA_CONF"
    cat "$EXTRA_CONF"
    printf '\n'
  fi
}

write_conf() {
  local fresh="$1"
  if [[ $fresh == 1 ]]; then rm -rf "$VAR_DIR_HOST/mnesia"; fi
  mkdir -p "$VAR_DIR_HOST/mnesia" "$VAR_DIR_HOST/log" "$VAR_DIR_HOST/home"
  generate_conf >"$VAR_DIR_HOST/rabbitmq.conf"
  rm -rf "$VAR_DIR_HOST/tls"
  if [[ -n $TLS_DIR ]]; then
    # Inside the chroot and owned by the broker's user (the chown below): the broker cannot
    # read the host's files, and Erlang's ssl reads them as the `rabbitmq` user.
    mkdir -m 0700 "$VAR_DIR_HOST/tls"
    (cd "$TLS_DIR" && cp "${TLS_FILES[@]}" "$VAR_DIR_HOST/tls/")
  fi
  echo '[rabbitmq_management,rabbitmq_auth_mechanism_ssl].' >"$VAR_DIR_HOST/enabled_plugins"
  rm -f "$VAR_DIR_HOST/broker.pid"
  if [[ $MODE == chroot ]]; then
    chroot "$ROOT" chown -R rabbitmq:rabbitmq "$VAR_DIR"
  elif [[ $(id -u) == 0 ]] && id rabbitmq >/dev/null 2>&1; then
    chown -R rabbitmq: "$VAR_DIR_HOST"
  fi
}

# --- building and restoring the trixie root ------------------------------------------

ensure_host_tools() {
  local -a missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v zstd >/dev/null || missing+=(zstd)
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "need ${missing[*]} (no apt-get here: install them, or set FM_TEST_AMQP_URL)"
  say "installing ${missing[*]} on the host with apt-get"
  apt-get update -q >>"$BUILD_STEPS_LOG" 2>&1 || die "apt-get update failed, see $BUILD_STEPS_LOG"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    >>"$BUILD_STEPS_LOG" 2>&1 || die "apt-get install ${missing[*]} failed, see $BUILD_STEPS_LOG"
}

build_root() {
  local build="$BROKER_DIR/build-root"
  ensure_host_tools
  unmount_under "$build"
  rm -rf --one-file-system "$build"
  say "building the Debian trixie root with debootstrap (about 2 minutes, once; log: $BUILD_STEPS_LOG)"
  debootstrap --variant=minbase trixie "$build" "$MIRROR" >>"$BUILD_STEPS_LOG" 2>&1 \
    || die "debootstrap failed, see $BUILD_STEPS_LOG"
  # Keeps maintainer scripts from starting a rabbit or an epmd during installation.
  printf '#!/bin/sh\nexit 101\n' >"$build/usr/sbin/policy-rc.d"
  chmod 755 "$build/usr/sbin/policy-rc.d"
  printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$build/etc/hosts"
  cp -L /etc/resolv.conf "$build/etc/resolv.conf" 2>/dev/null || true
  mount -t proc proc "$build/proc"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$build/dev/pts"
  say "installing rabbitmq-server in the root"
  if ! chroot "$build" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive sh -ec \
      'apt-get update -q; apt-get install -y -q --no-install-recommends rabbitmq-server; apt-get clean
       rm -rf /var/lib/apt/lists/*' >>"$BUILD_STEPS_LOG" 2>&1; then
    unmount_under "$build"
    die "installing rabbitmq-server in the chroot failed, see $BUILD_STEPS_LOG"
  fi
  unmount_under "$build"
  [[ -n $(installed_version "$build") ]] || die "rabbitmq-server is missing from the built root"
  say "caching the root as $TARBALL"
  mkdir -p "$CACHE_DIR"
  tar -C "$build" --numeric-owner -I 'zstd -T0 -3' -cf "$TARBALL.tmp" . || die "could not write $TARBALL"
  mv "$TARBALL.tmp" "$TARBALL"
  echo "$ROOT_RECIPE" >"$build/.fmtest-root-complete"
  mv "$build" "$ROOT"
}

ensure_root() {
  if [[ -f $ROOT/.fmtest-root-complete && $(cat "$ROOT/.fmtest-root-complete") == "$ROOT_RECIPE" ]]; then
    return 0
  fi
  unmount_under "$ROOT"
  rm -rf --one-file-system "$ROOT" "$ROOT.tmp"
  if [[ -f $TARBALL ]]; then
    say "restoring the broker root from $TARBALL"
    mkdir -p "$ROOT.tmp"
    tar -C "$ROOT.tmp" --numeric-owner -I zstd -xf "$TARBALL" || { rm -rf "$ROOT.tmp"; die "could not unpack $TARBALL"; }
    echo "$ROOT_RECIPE" >"$ROOT.tmp/.fmtest-root-complete"
    mv "$ROOT.tmp" "$ROOT"
  else
    build_root
  fi
}

# --- start / stop -----------------------------------------------------------------------

# Removes whatever a killed earlier run left behind: processes, mounts, pid files, locks.
# With `quiet`, nothing is reported (after a shutdown, epmd and the proc mount are expected).
clean_leftovers() {
  remove_leftovers broker "$([[ $MODE == chroot ]] && echo "$ROOT")" "$STATE_FILE" "$VAR_DIR_HOST" "${1:-}"
}

launch() {
  local out="$VAR_DIR_HOST/log/server.out"
  if [[ $MODE == chroot ]]; then mount -t proc proc "$ROOT/proc"; fi
  : >"$out"
  local -a BROKER_WRAPPER=(setsid)
  # fd 9 is our lock: the broker must not keep it.
  as_broker "$RMQ_BIN/rabbitmq-server" >"$out" 2>&1 </dev/null 9>&- &
  disown
}

wait_ready() {
  local deadline=$(( $(date +%s) + START_TIMEOUT_S )) out="$VAR_DIR_HOST/log/server.out"
  say "waiting for the node $NODENAME to boot"
  until ctl_within 20 await_startup --timeout 5 >/dev/null 2>&1; do
    if [[ -z $(our_pids) ]] || grep -q 'BOOT FAILED' "$out" 2>/dev/null; then
      tail -n 30 "$out" >&2 || true
      die "the broker exited during boot; log: $VAR_DIR_HOST/log"
    fi
    (( $(date +%s) < deadline )) || die "the broker did not boot in ${START_TIMEOUT_S}s; log: $VAR_DIR_HOST/log"
    sleep 0.5
  done
  until [[ $(mgmt_status /api/overview) == 200 ]]; do
    (( $(date +%s) < deadline )) || die "the management API on port $MGMT_PORT did not answer in ${START_TIMEOUT_S}s"
    sleep 0.2
  done
}

record_state() {
  local pid
  pid="$(cat "$VAR_DIR_HOST/broker.pid" 2>/dev/null || true)"
  # The pid file holds the pid as the broker sees it; in a chroot that is also the host pid.
  [[ -n $pid && -d /proc/$pid ]] || die "the broker is up but its pid file $VAR_DIR_HOST/broker.pid is missing"
  {
    echo "mode=$MODE"
    echo "pid=$pid"
    echo "starttime=$(proc_start_time "$pid")"
    echo "fingerprint=$(config_fingerprint)"
    echo "script=$SCRIPT_PATH"
    echo "version=$(broker_version)"
    echo "started_at=$(date -Is)"
  } >"$STATE_FILE"
}

do_start() {
  local keep_data="${1:-${FM_TEST_KEEP_DATA:-0}}" t0
  t0="$(now_ms)"
  if ours_and_healthy; then
    say "already running ($MODE, RabbitMQ $(broker_version), amqp 127.0.0.1:$AMQP_PORT)"
    return 0
  fi
  clean_leftovers
  check_ports_free
  [[ $MODE == host ]] || ensure_root
  local version
  version="$(broker_version)"
  version_at_least_4 "$version" || die "RabbitMQ $version found, need >= 4.0"
  if [[ -n $TLS_DIR ]]; then
    local file
    for file in "${TLS_FILES[@]}"; do
      [[ -r $TLS_DIR/$file ]] || die "FM_TEST_BROKER_TLS_DIR=$TLS_DIR has no readable $file"
    done
  fi
  write_conf "$([[ $keep_data == 1 ]] && echo 0 || echo 1)"
  say "starting RabbitMQ $version ($MODE) as $NODENAME: amqp $AMQP_PORT, http $MGMT_PORT, dist $DIST_PORT, epmd $EPMD_PORT${TLS_DIR:+, amqps $TLS_PORT}"
  # A failed boot must not leave its epmd and mount behind for the next run to trip over.
  trap 'clean_leftovers quiet' EXIT
  launch
  wait_ready
  record_state
  trap - EXIT
  say "ready in $(( ($(now_ms) - t0) ))ms"
}

do_stop() {
  local t0
  t0="$(now_ms)"
  if [[ -n $(our_pids) ]]; then
    say "stopping $NODENAME"
    ctl_within 30 shutdown >/dev/null 2>&1 || say "rabbitmqctl shutdown failed; killing the broker"
  fi
  # Also ends the epmd the node started, which outlives it.
  clean_leftovers quiet
  verify_stopped
  # The test PKI's server key lives only as long as the broker that uses it.
  rm -rf "$VAR_DIR_HOST/tls"
  say "stopped in $(( $(now_ms) - t0 ))ms"
}

verify_stopped() {
  verify_no_leftovers broker "$([[ $MODE == chroot ]] && echo "$ROOT")"
}

do_status() {
  if ours_and_healthy; then
    echo "running: $MODE RabbitMQ $(broker_version) $NODENAME amqp://127.0.0.1:$AMQP_PORT http://127.0.0.1:$MGMT_PORT ($(sed -n 's/^started_at=/since /p' "$STATE_FILE"))"
    return 0
  fi
  if [[ -n $(our_pids) ]]; then echo "unhealthy: broker processes exist but do not answer (start will replace them)"; return 1; fi
  local mounts=""
  if [[ $MODE == chroot ]]; then mounts="$(mounts_under "$ROOT" | tr '\n' ' ')"; fi
  if [[ -n $mounts ]]; then echo "stopped (a killed run left mounts, which start cleans: $mounts)"; else echo "stopped"; fi
  return 3
}

do_env() {
  echo "FM_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:$AMQP_PORT/"
  echo "FM_TEST_MGMT_URL=http://guest:guest@127.0.0.1:$MGMT_PORT"
  echo "FM_TEST_BROKER_VERSION=$(broker_version)"
  # Tells the test helpers (and this script, when called again from a test) that the URLs
  # above are this script's own broker, which they may stop and restart.
  echo "FM_TEST_BROKER_LOCAL=1"
  # The broker's process, whose CPU time the benchmark reads (test/bench/run.ts).
  local pid
  pid="$(sed -n 's/^pid=//p' "$STATE_FILE" 2>/dev/null || true)"
  if [[ -n $pid ]]; then echo "FM_TEST_BROKER_PID=$pid"; fi
}

# --- external broker -------------------------------------------------------------------

external_version() {
  [[ -n ${FM_TEST_BROKER_VERSION:-} ]] && { echo "$FM_TEST_BROKER_VERSION"; return; }
  [[ -n ${FM_TEST_MGMT_URL:-} ]] && command -v curl >/dev/null || return 0
  curl -fsS --max-time 5 "${FM_TEST_MGMT_URL%/}/api/overview" 2>/dev/null \
    | grep -o '"rabbitmq_version":"[^"]*"' | cut -d'"' -f4 || true
}

external() {
  case "$1" in
    start|stop|restart) say "FM_TEST_AMQP_URL is set: using that broker, nothing to $1" ;;
    status) echo "external: $FM_TEST_AMQP_URL" ;;
    env)
      [[ -n ${FM_TEST_MGMT_URL:-} ]] || say "warning: FM_TEST_MGMT_URL is not set; tests using the management API will fail"
      echo "FM_TEST_AMQP_URL=$FM_TEST_AMQP_URL"
      echo "FM_TEST_MGMT_URL=${FM_TEST_MGMT_URL:-}"
      echo "FM_TEST_BROKER_VERSION=$(external_version)" ;;
    ctl) die "ctl needs the local test broker; FM_TEST_AMQP_URL points elsewhere" ;;
  esac
}

# --- main ------------------------------------------------------------------------------

with_lock() {
  mkdir -p "$BROKER_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 600 9 || die "another rabbitmq.sh holds $LOCK_FILE"
  "$@"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    start|stop|restart|status|env|ctl) ;;
    *) echo "usage: $0 start|stop|restart|status|env|ctl ARGS..." >&2; exit 2 ;;
  esac
  if [[ -n ${FM_TEST_AMQP_URL:-} && ${FM_TEST_BROKER_LOCAL:-} != 1 ]]; then external "$cmd"; return; fi
  select_mode
  case "$cmd" in
    start) [[ $MODE == host ]] || require_root start; with_lock do_start ;;
    stop) [[ $MODE == host ]] || require_root stop; with_lock do_stop ;;
    restart) [[ $MODE == host ]] || require_root restart; with_lock do_stop; with_lock do_start 1 ;;
    status) do_status ;;
    env) do_env ;;
    ctl) [[ $MODE == host ]] || require_root ctl; ctl "$@" ;;
  esac
}

# Sourced (test/broker/cluster.sh reuses the root, process and mount helpers): define only.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
