#!/usr/bin/env bash
# binfmt.sh register|unregister: lets the kernel run arm64 ELF files through
# qemu-aarch64, so that processes an arm64 Node spawns (vitest's forks, the
# tests' child processes) are emulated too; QEMU_CPU and QEMU_LD_PREFIX reach
# them through the environment. register does nothing when a handler for
# aarch64 is already there (e.g. qemu-user-static's own) and prints the name
# of the entry it added, which unregister removes again.
set -euo pipefail
dir=/proc/sys/fs/binfmt_misc
name=arroy-aarch64
case "${1:-}" in
  register)
    [ -e "$dir/register" ] || mount -t binfmt_misc binfmt_misc "$dir"
    if grep -qs 'magic 7f454c460201010000000000000000000200b700' "$dir"/*; then exit 0; fi
    qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static)
    # An ELF header: 64-bit, little-endian, version 1, type EXEC or DYN (the
    # mask ignores the low bit), machine 0xb7 (AArch64).
    printf ':%s:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:%s:\n' "$name" "$qemu" > "$dir/register"
    echo "$name"
    ;;
  unregister)
    [ -e "$dir/$name" ] && echo -1 > "$dir/$name"
    exit 0
    ;;
  *) echo "usage: $0 register|unregister" >&2; exit 2 ;;
esac
