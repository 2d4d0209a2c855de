#!/usr/bin/env bash
# Builds bench/peers/build/peer_bench, the C++ peers (Annoy, hnswlib) of `npm run bench:peers`.
# Neither library is in this repository: their headers come from Debian packages, installed here
# with apt-get when missing, exactly as bench/annoy/build.sh does for the Annoy baseline:
#   r-cran-rcppannoy  /usr/lib/R/site-library/RcppAnnoy/include/{annoylib.h,kissrandom.h}
#   libhnswlib-dev    /usr/include/hnswlib/hnswlib.h
# Flags: -O3 -march=native (the AVX kernels of both headers), Annoy's threaded build policy.
# The output directory (bench/peers/build/) is git-ignored; the binary is never committed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out_dir="$here/../build"
out="$out_dir/peer_bench"
annoy_inc=/usr/lib/R/site-library/RcppAnnoy/include
CXX="${CXX:-g++}"

fail() { echo "bench/peers/native/build.sh: $*" >&2; exit 1; }

need_pkgs=()
[ -f "$annoy_inc/annoylib.h" ] || need_pkgs+=(r-cran-rcppannoy)
[ -f /usr/include/hnswlib/hnswlib.h ] || need_pkgs+=(libhnswlib-dev)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || fail "missing ${need_pkgs[*]} and no apt-get to install them"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need_pkgs[*]} with apt-get ..." >&2
  $sudo apt-get update -qq >&2 || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2 \
    || fail "apt-get install ${need_pkgs[*]} failed"
fi
command -v "$CXX" >/dev/null || fail "C++ compiler '$CXX' not found (apt-get install g++)"

mkdir -p "$out_dir"
# Rebuild only when the source is newer than the binary.
if [ -x "$out" ] && [ "$out" -nt "$here/peer_bench.cc" ]; then exit 0; fi
"$CXX" -std=c++17 -O3 -march=native -DNDEBUG -DANNOYLIB_MULTITHREADED_BUILD -w \
  -I"$annoy_inc" -o "$out" "$here/peer_bench.cc" -pthread || fail "compilation failed"
echo "built $out (r-cran-rcppannoy $(dpkg-query -W -f='${Version}' r-cran-rcppannoy 2>/dev/null || echo '?'), libhnswlib-dev $(dpkg-query -W -f='${Version}' libhnswlib-dev 2>/dev/null || echo '?'))" >&2
