#!/usr/bin/env bash
# The long checks, one after the other (CI runs them all; each also has its
# own npm script):
#   1. SIGKILLs of a writer at 50 moments and a 60 s soak of 4 reader
#      processes against 1 writer (vitest.stress.config.mts, test/stress/);
#   2. the libFuzzer targets, ARROY_FUZZ_SECONDS each (default 60; npm run fuzz);
#   3. a valgrind leak check of the addon under a short workload
#      (npm run test:valgrind);
#   4. the damaged-file corpus, ARROY_DAMAGE_SEEDS seeds of each kind of
#      damage (default 1,000; test/damage/RESULTS.md), one child per case.
# Needs clang + libclang-rt-14-dev and valgrind (Debian), as .ci/run installs.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build
echo "== kills and soak"
npx vitest run -c vitest.stress.config.mts
echo "== fuzzing"
bash scripts/fuzz.sh
echo "== valgrind leak check"
bash scripts/valgrind-leaks.sh
echo "== damaged-file corpus"
ARROY_DAMAGE_SEEDS=${ARROY_DAMAGE_SEEDS:-1000} npx vitest run test/damage.test.ts --testTimeout 14400000
