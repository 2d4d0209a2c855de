#!/usr/bin/env bash
# Builds the libFuzzer targets (native/fuzz/fuzz_*.cc) with clang in their own
# build directory and runs each for a bounded time, one after the other.
#
#   npm run fuzz                          # 60 s per target
#   ARROY_FUZZ_SECONDS=600 npm run fuzz   # longer
#
# Prints one line per target with libFuzzer's count of executed inputs, and
# exits non-zero if any target found a crash, a sanitizer report, a leak or a
# hang (the reproducer is kept under <build>/artifacts/<target>/; run the
# target binary with that file as its argument to replay it).
#
# The corpus of each target persists in <build>/corpus/<target>/, so later
# runs start where earlier ones stopped; a few seeds are written on first use.
#
# Installs nothing: it needs clang and libFuzzer (Debian: apt-get install
# clang libclang-rt-14-dev), cmake and node (for the LMDB sources).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${ARROY_FUZZ_SECONDS:-60}
build=${ARROY_FUZZ_BUILD_DIR:-build-fuzz}
cc=${ARROY_FUZZ_CC:-clang}
cxx=${ARROY_FUZZ_CXX:-clang++}

if ! command -v "$cxx" >/dev/null || ! command -v "$cc" >/dev/null; then
  echo "fuzz.sh: $cc/$cxx not found; install clang and libFuzzer first (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi
# clang without its runtime libraries compiles, then fails to link: ask up front.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/probe.cc"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/probe.cc" -o "$probe/probe" 2>"$probe/error"; then
  echo "fuzz.sh: $cxx cannot link libFuzzer with ASan/UBSan (Debian: apt-get install libclang-rt-14-dev):" >&2
  cat "$probe/error" >&2
  exit 2
fi

mkdir -p "$build"
CC=$cc CXX=$cxx cmake -S . -B "$build" -DARROY_FUZZ=ON -DARROY_NATIVE_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" -j 2

# Seeds: an input the target decodes to something meaningful, so that the
# first minutes are not spent discovering the input layout.
seed() {  # target name bytes(printf format)
  mkdir -p "$build/corpus/$1"
  # shellcheck disable=SC2059
  printf "$3" >"$build/corpus/$1/seed-$2"
}
seed_corpora() {
  # fuzz_records: selector | dimensions byte | parameters u32 | record
  seed fuzz_records bucket '\x00\x02\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x05\x00\x00\x00\x09\x00\x00\x00'
  seed fuzz_records split '\x00\x01\x00\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x00\x00\x80\x3f\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x40\x40'
  seed fuzz_records random-split '\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x07\x00\x00\x00\x08\x00\x00\x00'
  seed fuzz_records header '\x03\x00\x00\x00\x00\x00arroy-ts\x03\x00\x00\x00'
  seed fuzz_records catalog '\x02\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x01\x00a\x01\x00\x03\x00two'
  seed fuzz_records slot '\x06\x01\x00\x00\x00\x00\x07\x00\x00\x00\x01\x00\x00\x00\x00\x00\x80\x3f\x00\x00\x00\x00\x00\x00\x80\x3f\x00\x00\x00\x00'
  seed fuzz_records u32-list '\x04\x00\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00'
  # attributes (format.h): a dictionary of 2 fields, a record {s: "ab", n: 1.0, b: true} (fuzz_dictionary),
  # and the posting of n = 1.0 at slot 5
  seed fuzz_records dictionary '\x08\x00\x00\x00\x00\x00\x02\x00\x01\x01s\x02\x01n'
  seed fuzz_records attributes '\x09\x00\x00\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00ab\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x02\x00\x00\x01\x00\x01'
  seed fuzz_records posting '\x0a\x00\x00\x00\x00\x00\x00\x01\xbf\xf0\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05'
  # fuzz_search: flags (read-only, verify) and no patch: the pristine file
  seed fuzz_search pristine-rw '\x00'
  seed fuzz_search pristine-ro-check '\x03'
}
seed_corpora

# The targets' temporary files go here, so a crashed run leaves nothing behind.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/arroy-fuzz-XXXXXX")
trap 'rm -rf "$probe" "$scratch"' EXIT

failed=0
summaries=()
for binary in "$build"/fuzz_*; do
  [[ -x $binary && -f $binary ]] || continue
  name=$(basename "$binary")
  corpus="$build/corpus/$name"
  artifacts="$build/artifacts/$name"
  log="$build/$name.log"
  mkdir -p "$corpus" "$artifacts"
  echo "fuzz.sh: running $name for ${seconds}s (log: $log)"
  status=0
  # -timeout: an input running over 30 s is a hang, reported like a crash.
  TMPDIR="$scratch" UBSAN_OPTIONS="print_stacktrace=1" \
    "$binary" -max_total_time="$seconds" -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || status=$?
  executions=$(awk '/stat::number_of_executed_units:/ { n = $2 } END { print n + 0 }' "$log")
  inputs=$(find "$corpus" -type f | wc -l)
  if [[ $status -eq 0 ]]; then
    summaries+=("$name: ok, $executions executions in ${seconds}s, corpus $inputs inputs")
  else
    failed=1
    summaries+=("$name: FAILED (exit $status) after $executions executions; reproducer in $artifacts/, log $log")
    grep -E "ERROR:|SUMMARY:|runtime error|Test unit written" "$log" | head -n 20 >&2 || true
  fi
done

for line in "${summaries[@]}"; do echo "$line"; done
exit "$failed"
