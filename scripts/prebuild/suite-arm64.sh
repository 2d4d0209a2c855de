#!/usr/bin/env bash
# suite-arm64.sh prepare DIR: copies the sources and tests to DIR with the
#   prebuilds (and no build/), and installs the locked dev dependencies there
#   with the arm64 variants of vitest's native parts (rolldown, lightningcss).
# suite-arm64.sh run DIR NODE: runs the chosen test files there under NODE, an
#   arm64 Node started through qemu (the caller sets QEMU_CPU, QEMU_LD_PREFIX
#   and the binfmt handler, so the tests' child processes are arm64 too).
#
# The files: errors and metrics (every distance on the NEON kernels against a
# float64 brute force), persistence, string keys, databases, worker_threads
# sharing one file, and recall@10 on real data sized for an
# emulator (recall-subset: 20,000 GloVe words). Under qemu these run 15-70x
# slower than natively, so the long builds (build, filtered, incremental,
# full-size recall) are left to the native run of the whole suite, and so are
# storage.test.ts (its children run as nobody and cannot enter the private
# temporary directory this suite runs from) and processes.test.ts (it counts
# a reader's searches in a fixed time, which emulation cannot reach).
set -euo pipefail
FILES=(
  test/errors.test.ts test/metrics.test.ts test/persistence.test.ts test/keys.test.ts
  test/database.test.ts test/workers.test.ts
  test/recall-subset.test.ts
)
repo=$(cd "$(dirname "$0")/../.." && pwd)
case "${1:-}" in
  prepare)
    dir=$2
    mkdir -p "$dir"
    cp -a "$repo"/{src,test,prebuilds,package.json,package-lock.json,tsconfig.json,vitest.config.mts} "$dir/"
    cd "$dir"
    npm ci --cpu=arm64 --os=linux --libc=glibc --ignore-scripts --no-audit --no-fund --silent
    ;;
  run)
    dir=$2 node=$3
    # The tests' child processes load the package through dist/ (built by the pack that precedes this).
    cp -a "$repo/dist" "$dir/"
    cd "$dir"
    # Timeouts raised for emulation.
    PREBUILDS_ONLY=1 "$node" node_modules/vitest/vitest.mjs run --pool=forks \
      --testTimeout=900000 --hookTimeout=900000 "${FILES[@]}"
    ;;
  *) echo "usage: $0 prepare DIR | run DIR NODE" >&2; exit 2 ;;
esac
