#!/usr/bin/env bash
# node-runtime.sh x64|arm64 -> prints a directory holding bin/node and
# include/node of the pinned official Node build for that architecture, taken
# from the npm registry (pins.sh), checked against its pinned integrity, and
# cached under .cache/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/pins.sh"
root_dir=$(cd "$here/../.." && pwd)
cache=${ARROY_CACHE_DIR:-$root_dir/.cache}
case "${1:-}" in
  x64) spec=$NODE_X64; integrity=$NODE_X64_INTEGRITY ;;
  arm64) spec=$NODE_ARM64; integrity=$NODE_ARM64_INTEGRITY ;;
  *) echo "usage: $0 x64|arm64" >&2; exit 2 ;;
esac
dir=$cache/${spec/@/-}
if [ -x "$dir/bin/node" ]; then echo "$dir"; exit 0; fi

rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
# --cache of its own: the registry is the only source, whatever the user's npm cache holds.
tgz=$(cd "$dir.tmp" && npm pack "$spec" --silent --cache "$dir.tmp/.npm" 2>/dev/null | tail -1)
digest="sha512-$(openssl dgst -sha512 -binary "$dir.tmp/$tgz" | base64 -w0)"
if [ "$digest" != "$integrity" ]; then
  echo "$spec: integrity $digest does not match the pinned $integrity" >&2
  exit 1
fi
tar -xzf "$dir.tmp/$tgz" -C "$dir.tmp" --strip-components=1 package/bin/node package/include/node package/LICENSE
rm -rf "$dir.tmp/$tgz" "$dir.tmp/.npm"
mv "$dir.tmp" "$dir"
echo "$dir"
