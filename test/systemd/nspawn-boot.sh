#!/usr/bin/env bash
# Boots systemd in ROOT as container NAME (`systemd-nspawn -b`), in the
# foreground; test/support/nspawn.ts starts it in the background and stops it
# with SIGTERM (an orderly halt).
#
#   bash test/systemd/nspawn-boot.sh ROOT NAME
#   bash test/systemd/nspawn-boot.sh cleanup NAME    after it has exited
#
# `--register=no --keep-unit` because the host's PID 1 is not systemd (no
# machined, no bus). With --keep-unit nspawn creates payload/ and supervisor/
# cgroups under its own cgroup: it runs in a cgroup of its own, fm-nspawn-NAME,
# in each hierarchy systemd uses, and `cleanup` removes those afterwards.
set -euo pipefail

cgroup_bases() {
  if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
    echo /sys/fs/cgroup
  else
    local h
    for h in unified systemd; do [[ -d /sys/fs/cgroup/$h ]] && echo "/sys/fs/cgroup/$h"; done
  fi
  return 0
}

if [[ ${1:-} == cleanup ]]; then
  name="$2"
  for base in $(cgroup_bases); do
    [[ -d $base/fm-nspawn-$name ]] && find "$base/fm-nspawn-$name" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  rm -rf "/run/systemd/nspawn/propagate/$name"
  exit 0
fi

root="$1"
name="$2"
for base in $(cgroup_bases); do
  mkdir -p "$base/fm-nspawn-$name"
  echo $$ >"$base/fm-nspawn-$name/cgroup.procs"
done
# Never SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=0: `systemctl stop` then hangs for 90 s.
exec systemd-nspawn -b -D "$root" -M "$name" --register=no --keep-unit --console=read-only
