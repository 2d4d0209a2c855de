#!/usr/bin/env bash
# npm run build:prebuilds: builds prebuilds/linux-x64/arroy-ts.glibc.node and
# prebuilds/linux-arm64/arroy-ts.glibc.node (prebuildify layout, N-API, found
# by node-gyp-build) in the Debian 11 chroot, from registry and Debian
# packages only.
#
# Why this way: GCC 10 on glibc 2.31 with -static-libstdc++ -static-libgcc
# gives a binary that needs GLIBC <= 2.17 and no GLIBCXX at all, so it loads
# on Lambda's Amazon Linux 2 and 2023 alike; a newer toolchain's static
# libstdc++ pulls in GLIBC_2.35/2.36 (research/native-ecosystem.md §5c). The
# version script keeps every symbol but the N-API entry points local.
#
# The two architectures build at the same time, each with half the cores:
# one link waiting on the other's last compile costs less than two tails.
set -euo pipefail
cd "$(dirname "$0")/../.."
root_dir=$PWD
start=$SECONDS

node scripts/copy-lmdb-sources.js
chroot_dir=$(bash scripts/prebuild/chroot.sh)
node_x64=$(bash scripts/prebuild/node-runtime.sh x64)
[ -d node_modules/prebuildify ] || { echo "run npm ci first (prebuildify, node-gyp)" >&2; exit 1; }

work=$chroot_dir/build
rm -rf "$work" && mkdir -p "$work"
node scripts/prebuild/stage.js "$work/src" >&2
cp scripts/prebuild/exports.map scripts/prebuild/glibc-floor.c "$work/src/"
jobs=$(( ($(nproc) + 1) / 2 ))

build_one() {
  local arch=$1 cross=()
  cp -a "$work/src" "$work/$arch"
  if [ "$arch" = arm64 ]; then
    cross=(CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++)
  fi
  local strip=strip cc=gcc
  [ "$arch" = arm64 ] && strip=aarch64-linux-gnu-strip cc=aarch64-linux-gnu-gcc
  # node_modules (prebuildify, node-gyp, node-addon-api) is the repo's own,
  # mounted read-only; the Node headers are those of the pinned runtime.
  bash scripts/prebuild/in-chroot.sh "$chroot_dir" \
    --bind "$node_x64" /opt/node --bind "$root_dir/node_modules" "/build/$arch/node_modules" -- \
    "${cross[@]}" JOBS="$jobs" npm_config_nodedir=/opt/node \
    LDFLAGS="-static-libstdc++ -static-libgcc -Wl,--version-script=/build/$arch/exports.map /build/$arch/glibc-floor.o" \
    /bin/sh -c "cd /build/$arch && $cc -O2 -fPIC -Wall -c glibc-floor.c -o glibc-floor.o && node node_modules/prebuildify/bin.js --napi --tag-libc --strip --strip-bin $strip --arch $arch" \
    > "$work/$arch.log" 2>&1 || { tail -40 "$work/$arch.log" >&2; echo "prebuild $arch failed (log: $work/$arch.log)" >&2; return 1; }
  rm -rf "prebuilds/linux-$arch"
  mkdir -p prebuilds
  cp -a "$work/$arch/prebuilds/linux-$arch" prebuilds/
  echo "prebuilds/linux-$arch: $(ls "prebuilds/linux-$arch") built in $((SECONDS - $2)) s" >&2
}

t=$SECONDS
build_one x64 "$t" & x64=$!
build_one arm64 "$t" & arm64=$!
status=0
wait "$x64" || status=1
wait "$arm64" || status=1
[ "$status" = 0 ] || exit 1
ls -l prebuilds/*/*.node
echo "build:prebuilds done in $((SECONDS - start)) s"
