#!/usr/bin/env bash
# A Debian bookworm root that boots systemd in `systemd-nspawn -b`, for the
# tests of the fm-consumer@ unit under a real systemd (test/systemd/).
#
#   bash test/systemd/nspawn-root.sh prepare       host tools + cached root tarball
#   bash test/systemd/nspawn-root.sh unpack DIR    a fresh copy of the root in DIR
#
# Built once with debootstrap (about 2 minutes, 245 MB) and cached as a zstd
# tarball next to the broker's (FM_TEST_CACHE_DIR, /var/cache/fedora-messaging-test);
# unpacking it takes a few seconds. Installs the Debian packages
# systemd-container (systemd-nspawn), debootstrap and zstd on the host if missing.
set -euo pipefail

readonly CACHE_DIR="${FM_TEST_CACHE_DIR:-/var/cache/fedora-messaging-test}"
# Bump when the way the root is built changes, so that an old tarball is not reused.
readonly RECIPE=v1
readonly TARBALL="$CACHE_DIR/bookworm-systemd-$RECIPE.tar.zst"
readonly MIRROR="${FM_TEST_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly PACKAGES=systemd,systemd-sysv,dbus,procps

say() { printf 'nspawn-root.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

ensure_host_tools() {
  local -a missing=()
  command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v zstd >/dev/null || missing+=(zstd)
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "need ${missing[*]} and there is no apt-get here"
  say "installing ${missing[*]} on the host with apt-get"
  apt-get update -q >/dev/null 2>&1 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

build_tarball() {
  local build log
  build="$(mktemp -d "$CACHE_DIR/bookworm-systemd-build.XXXXXX")"
  log="$build.log"
  say "building the Debian bookworm root with systemd (debootstrap, about 2 minutes, once; log: $log)"
  if ! debootstrap --variant=minbase --include="$PACKAGES" bookworm "$build" "$MIRROR" >"$log" 2>&1; then
    rm -rf --one-file-system "$build"
    die "debootstrap failed, see $log"
  fi
  # No getty on a console nobody reads, and a machine id made at first boot.
  rm -f "$build/etc/machine-id" "$build/var/lib/dbus/machine-id"
  ln -sf /dev/null "$build/etc/systemd/system/console-getty.service"
  printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$build/etc/hosts"
  rm -rf "$build/var/cache/apt/archives/"*.deb "$build/var/lib/apt/lists/"*
  tar -C "$build" --numeric-owner -I 'zstd -T0 -3' -cf "$TARBALL.tmp.$$" . || die "could not write $TARBALL"
  mv "$TARBALL.tmp.$$" "$TARBALL"
  rm -rf --one-file-system "$build" "$log"
  say "cached the root as $TARBALL"
}

prepare() {
  ensure_host_tools
  mkdir -p "$CACHE_DIR"
  [[ -f $TARBALL ]] && return 0
  # Another test run on this machine may be building it right now: one builds, the others wait.
  exec 8>"$CACHE_DIR/bookworm-systemd.lock"
  flock -w 900 8 || die "timed out waiting for another build of $TARBALL"
  [[ -f $TARBALL ]] || build_tarball
}

unpack() {
  local dir="$1"
  [[ -f $TARBALL ]] || prepare
  rm -rf --one-file-system "$dir"
  mkdir -p "$dir"
  tar -C "$dir" --numeric-owner -I zstd -xf "$TARBALL" || die "could not unpack $TARBALL into $dir"
  # D-Bus cannot start in a container here (inotify is denied to it), and logind waits for
  # it, holding the boot in "starting" for 90 s. Neither is needed: systemctl talks to
  # systemd over its private socket, and journald works without them.
  local unit
  for unit in dbus.service dbus.socket systemd-logind.service; do
    ln -sf /dev/null "$dir/etc/systemd/system/$unit"
  done
}

case "${1:-}" in
  prepare) prepare ;;
  unpack) [[ $# == 2 ]] || die "usage: $0 unpack DIR"; unpack "$2" ;;
  *) echo "usage: $0 prepare | unpack DIR" >&2; exit 2 ;;
esac
