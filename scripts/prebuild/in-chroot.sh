#!/usr/bin/env bash
# in-chroot.sh ROOT [--bind HOST_DIR CHROOT_DIR]... -- COMMAND...
# Runs COMMAND inside the chroot ROOT with /proc mounted (Node and gcc read it)
# and the given directories bind-mounted. Everything happens in a private mount
# namespace, so the mounts vanish with the command, even when it is killed:
# nothing is left mounted on the machine.
set -euo pipefail
root=$1; shift
binds=()
while [ "${1:-}" = --bind ]; do binds+=("$2" "$3"); shift 3; done
[ "${1:-}" = -- ] && shift
exec unshare --mount --propagation private --fork /bin/bash -c '
  set -euo pipefail
  root=$1; n=$2; shift 2
  mount -t proc proc "$root/proc"
  while [ "$n" -gt 0 ]; do
    mkdir -p "$root$2"
    mount --bind "$1" "$root$2"
    shift 2; n=$((n - 2))
  done
  exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/opt/node/bin:/usr/bin:/bin "$@"
' _ "$root" "${#binds[@]}" "${binds[@]}" "$@"
