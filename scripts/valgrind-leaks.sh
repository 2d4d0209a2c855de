#!/usr/bin/env bash
# Runs test/stress/leak-workload.mjs under valgrind's memcheck, with the
# normal addon from `npm run build` (build/Release/arroy_ts.node), and fails
# if the addon leaks memory or makes a memory error.
#
#   npm run build && npm run test:valgrind
#
# The rule for "clean": no definitely-lost or indirectly-lost block, and no
# memcheck error (invalid read/write, uninitialised value, bad free...), whose
# stack includes arroy_ts.node. Node and V8 keep some allocations for the
# whole process and free nothing at exit by design, and what valgrind reports
# for them varies with the Node version; it is counted and shown, but it is
# not ours to fix. Anything allocated on the addon's behalf is reached through
# a frame of arroy_ts.node (stacks are taken 50 frames deep for that), which
# is why the rule looks at the whole stack and not only its top. Blocks that
# are "still reachable" (e.g. the process-wide environment registry, which is
# deliberately never destroyed) or "possibly lost" are not leaks by this rule.
#
# Installs nothing: it needs valgrind (Debian: apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."

addon=build/Release/arroy_ts.node
workload=test/stress/leak-workload.mjs

if ! command -v valgrind >/dev/null; then
  echo "valgrind-leaks.sh: valgrind not found (Debian: apt-get install valgrind)" >&2
  exit 2
fi
if [[ ! -f $addon || ! -f dist/index.js ]]; then
  echo "valgrind-leaks.sh: $addon or dist/ missing: run npm run build first" >&2
  exit 2
fi

log=$(mktemp "${TMPDIR:-/tmp}/arroy-valgrind-XXXXXX.log")
trap 'rm -f "$log"' EXIT

# --jitless: V8 then generates no machine code, which valgrind would have to
# re-translate every time it changes (and which --smc-check would make slow).
# ARROY_ADDON_PATH is cleared so the workload loads the normal addon.
echo "valgrind-leaks.sh: running $workload under valgrind (a few minutes)"
status=0
env -u ARROY_ADDON_PATH valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
  --errors-for-leak-kinds=definite,indirect --num-callers=50 --error-exitcode=97 --log-file="$log" \
  node --jitless "$workload" || status=$?

# Valgrind writes each report as a block of "==pid== " lines ended by an
# empty one; classify every block as a leak or an error, ours or not.
counts=$(sed -E 's/^==[0-9]+== ?//' "$log" | awk '
  function flush() {
    if (block == "") return
    kind = ""
    if (first ~ /are definitely lost/) kind = "definite"
    else if (first ~ /are indirectly lost/) kind = "indirect"
    else if (first ~ /^(Invalid |Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|Argument .* of function)/) kind = "error"
    if (kind != "") {
      ours = index(block, "arroy_ts.node") > 0
      count[kind, ours]++
      if (ours) printf "%s\n", block > "/dev/stderr"
    }
    block = ""; first = ""
  }
  /^$/ { flush(); next }
  { if (block == "") first = $0; block = block $0 "\n" }
  END {
    flush()
    printf "%d %d %d %d %d %d\n", count["definite", 1], count["indirect", 1], count["error", 1],
      count["definite", 0], count["indirect", 0], count["error", 0]
  }')
read -r our_definite our_indirect our_errors other_definite other_indirect other_errors <<<"$counts"

grep -E "definitely lost:|indirectly lost:|possibly lost:|still reachable:|ERROR SUMMARY" "$log" | sed -E 's/^==[0-9]+== +/  /'
echo "arroy_ts.node (loss records, error contexts): $our_definite definitely lost, $our_indirect indirectly lost, $our_errors memory errors"
echo "Node/V8 (not counted): $other_definite definitely lost, $other_indirect indirectly lost, $other_errors memory errors"

# 97 only says that valgrind saw some error or leak; anything else from the
# run is the workload failing.
if [[ $status -ne 0 && $status -ne 97 ]]; then
  echo "valgrind-leaks.sh: the workload failed (exit $status); valgrind log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
if (( our_definite + our_indirect + our_errors > 0 )); then
  echo "valgrind-leaks.sh: FAILED: the addon leaks or makes memory errors (reports above)" >&2
  exit 1
fi
echo "valgrind-leaks.sh: clean"
