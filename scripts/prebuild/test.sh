#!/usr/bin/env bash
# npm run test:prebuilds: proves the packed tarball on both Lambda targets.
#  (a) pack; install the tarball into a fresh project outside the repo,
#      offline from a private npm cache that holds only its dependencies, with
#      no compiler on the PATH; import it with ESM and CJS, build and search;
#      then ERR_ARROY_NO_BINARY with prebuilds/ moved away, and the source
#      fallback built with no network at all;
#  (b) the same project on arm64: the pinned arm64 Node under qemu-user with
#      -cpu neoverse-n1 (Graviton2: NEON, no SVE), on Debian 11's arm64 glibc;
#  (c) the x64 prebuild under the pinned x64 Node inside the Debian 11 chroot
#      (glibc 2.31, no compiler involved);
#  (d) a representative part of the vitest suite, recall on real data
#      included, with the arm64 prebuild under qemu (scripts/prebuild/suite-arm64.sh).
# Needs the prebuilds (npm run build:prebuilds), which also leave the chroot
# and the Node runtimes cached.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
here=$repo/scripts/prebuild
start=$SECONDS
for arch in x64 arm64; do
  [ -f "prebuilds/linux-$arch/arroy-ts.glibc.node" ] || { echo "prebuilds/linux-$arch missing: run npm run build:prebuilds" >&2; exit 1; }
done
if ! command -v qemu-aarch64 >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user
fi
chroot_dir=$(bash "$here/chroot.sh")
node_x64=$(bash "$here/node-runtime.sh" x64)
node_arm64=$(bash "$here/node-runtime.sh" arm64)
# Debian 11's arm64 glibc 2.31 and libstdc++, installed with the cross compiler.
sysroot=$chroot_dir/usr/aarch64-linux-gnu

tmp=$(mktemp -d /tmp/arroy-prebuilds.XXXXXX)
pids=()
# qemu-user 7.2 (Debian 12) backs each guest file mapping with a shared
# anonymous mapping of the same size first, and the kernel's heuristic
# overcommit check (mode 0) refuses LMDB's 64 GiB map on a 24 GB machine,
# although real arm64 machines map it fine. The emulated parts run with mode
# 1; the setting is put back on exit.
overcommit=$(cat /proc/sys/vm/overcommit_memory)
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash "$here/binfmt.sh" unregister
  echo "$overcommit" > /proc/sys/vm/overcommit_memory
  rm -rf "$tmp"
}
trap cleanup EXIT
timing() { printf '%-58s %4d s\n' "$1" "$2" | tee -a "$tmp/times"; }

# (d)'s arm64 node_modules come from the registry; fetch them while (a) runs.
t=$SECONDS
bash "$here/suite-arm64.sh" prepare "$tmp/suite" > "$tmp/suite-prepare.log" 2>&1 &
prepare=$!; pids+=("$prepare")

echo "== (a) pack, install offline with no compiler, import (ESM, CJS), search"
t=$SECONDS
npm pack --silent --pack-destination "$tmp" > "$tmp/pack.log"
tgz=$(ls "$tmp"/arroy-ts-*.tgz)
node "$here/check-tarball.js" "$tgz"
# A private cache holding only the runtime dependencies and theirs (every
# package-lock entry that is not dev-only), then --offline: the install can
# reach nothing else, neither the registry nor the repo.
deps=$(node "$here/runtime-deps.js")
npm cache add $deps --cache "$tmp/cache" --silent
mkdir -p "$tmp/bin" "$tmp/app"
ln -s "$(command -v node)" "$tmp/bin/node"
ln -s "$(readlink -f "$(command -v npm)")" "$tmp/bin/npm"
for tool in cc gcc g++ c++ clang make python3; do
  if PATH=$tmp/bin command -v "$tool" >/dev/null; then echo "$tool is on the test PATH" >&2; exit 1; fi
done
echo '{ "name": "fresh-app", "private": true }' > "$tmp/app/package.json"
cp "$here"/smoke/* "$tmp/app/"
(cd "$tmp/app" && env -i HOME="$tmp" PATH="$tmp/bin" npm install --offline --cache "$tmp/cache" --no-audit --no-fund "$tgz") > "$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; exit 1; }
if grep -qi 'install-scripts\|gyp' "$tmp/install.log"; then cat "$tmp/install.log"; echo "install ran or flagged a script" >&2; exit 1; fi
smoke() { # smoke ARCH RUNNER...: runs smoke.cjs and smoke.mjs of the app, checks the binary that served them (leaves the last line in $out)
  local arch=$1; shift
  for f in smoke.cjs smoke.mjs; do
    out=$("$@" "$f")
    echo "   $out"
    case "$out" in *"\"loaded\":[\"prebuilds/linux-$arch/arroy-ts.glibc.node\"]"*) ;; *) echo "not served by the linux-$arch prebuild" >&2; return 1 ;; esac
  done
}
smoke x64 env -C "$tmp/app" -i HOME="$tmp" PATH="$tmp/bin" node
app_pkg=$tmp/app/node_modules/arroy-ts
mv "$app_pkg/prebuilds" "$app_pkg/prebuilds.away"
out=$(cd "$tmp/app" && env -i PATH="$tmp/bin" node -e "try { require('arroy-ts') } catch (e) { console.log(e.code + '\n' + e.message) }")
mv "$app_pkg/prebuilds.away" "$app_pkg/prebuilds"
echo "$out" | sed 's/^/   /'
[ "$(echo "$out" | head -1)" = ERR_ARROY_NO_BINARY ] || { echo "expected ERR_ARROY_NO_BINARY" >&2; exit 1; }
timing "(a) pack + offline install + ESM/CJS + NO_BINARY (x64)" $((SECONDS - t))

# The source fallback, the command ERR_ARROY_NO_BINARY names, in a copy of the
# project and a network namespace of its own (no network at all). It compiles
# for a while, so it runs beside (b), (c) and (d): an emulated guest mostly
# keeps one core busy, and the compile takes the other.
t_src=$SECONDS
cp -a "$tmp/app" "$tmp/app-src"
( cd "$tmp/app-src" && unshare --net env npm_config_offline=true npm explore arroy-ts -- npm run build:native > "$tmp/source-build.log" 2>&1 \
    && env -i PATH="$tmp/bin" PREBUILDS_ONLY= node smoke.cjs > "$tmp/source-smoke.log" 2>&1 ) &
source_build=$!; pids+=("$source_build")

[ "$overcommit" = 0 ] && echo 1 > /proc/sys/vm/overcommit_memory
echo "== (b) arm64 Node $(basename "$node_arm64") under qemu -cpu neoverse-n1, glibc 2.31"
t=$SECONDS
smoke arm64 env -C "$tmp/app" -i HOME="$tmp" PATH="$tmp/bin" QEMU_CPU=neoverse-n1 "$(command -v qemu-aarch64)" -L "$sysroot" "$node_arm64/bin/node"
grep -q '"simd":"neon"' <<< "$out" || { echo "arm64 did not choose the NEON kernels" >&2; exit 1; }
timing "(b) arm64 prebuild, qemu neoverse-n1 (ESM, CJS)" $((SECONDS - t))

echo "== (c) x64 Node $(basename "$node_x64") inside the Debian 11 chroot"
t=$SECONDS
smoke x64 bash "$here/in-chroot.sh" "$chroot_dir" --bind "$tmp/app" /app --bind "$node_x64" /opt/node -- /bin/sh -c 'cd /app && exec node "$0"'
grep -q '"glibc":"2.31"' <<< "$out" || { echo "(c) did not run on glibc 2.31" >&2; exit 1; }
timing "(c) x64 prebuild, Node in the glibc 2.31 chroot (ESM, CJS)" $((SECONDS - t))

echo "== (d) vitest on arm64 under qemu (neoverse-n1)"
t=$SECONDS
wait "$prepare" || { cat "$tmp/suite-prepare.log"; exit 1; }
bash "$here/binfmt.sh" register > /dev/null
QEMU_CPU=neoverse-n1 QEMU_LD_PREFIX=$sysroot ARROY_SHARED_DIR=$(cd "$repo/../shared" && pwd) \
  bash "$here/suite-arm64.sh" run "$tmp/suite" "$node_arm64/bin/node"
timing "(d) vitest subset on arm64 (incl. npm ci for arm64)" $((SECONDS - t))

wait "$source_build" || { tail -30 "$tmp/source-build.log" "$tmp/source-smoke.log"; echo "source fallback failed" >&2; exit 1; }
echo "   source fallback: $(cat "$tmp/source-smoke.log")"
grep -q '"loaded":\["build/Release/arroy_ts.node"\]' "$tmp/source-smoke.log" || { echo "the source build did not serve" >&2; exit 1; }
timing "(a) source fallback: offline build in the installed package" $((SECONDS - t_src))


echo "== test:prebuilds times"
cat "$tmp/times"
echo "test:prebuilds: all parts passed in $((SECONDS - start)) s"
