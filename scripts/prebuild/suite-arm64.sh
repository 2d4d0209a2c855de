#!/usr/bin/env bash
# suite-arm64.sh prepare DIR: copies the sources and tests to DIR with the
#   prebuilds (and no build/), and installs the locked dev dependencies there
#   with the arm64 variants of vitest's native parts (rolldown, lightningcss).
# suite-arm64.sh run DIR NODE: runs the chosen test files there under NODE, an
#   arm64 Node started through qemu (the caller sets QEMU_CPU, QEMU_LD_PREFIX
#   and the binfmt handler, so the tests' child processes are arm64 too).
#
# The files: one per area of the API (building, persistence, keys, filters,
# databases, errors), threads and processes sharing one file, and recall@10 on
# real data (Fashion-MNIST, 60,000 x 784: the GloVe case is the same code on a
# longer build). About 10x slower than native under qemu on this machine kind.
set -euo pipefail
FILES=(
  test/errors.test.ts test/metrics.test.ts test/build.test.ts test/persistence.test.ts
  test/keys.test.ts test/filtered.test.ts test/database.test.ts
  test/workers.test.ts test/processes.test.ts test/recall.test.ts
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
    cd "$dir"
    # Timeouts raised for emulation; -t keeps recall to its Fashion-MNIST case.
    PREBUILDS_ONLY=1 "$node" node_modules/vitest/vitest.mjs run --pool=forks \
      --testTimeout=900000 --hookTimeout=900000 \
      -t '^(?!glove-100-angular)' "${FILES[@]}"
    ;;
  *) echo "usage: $0 prepare DIR | run DIR NODE" >&2; exit 2 ;;
esac
