#!/usr/bin/env bash
# Builds bench/annoy/build/annoy_bench, the Annoy baseline for bench/RESULTS.md.
# Annoy's header is NOT in this repository: it comes from Debian's r-cran-rcppannoy package,
# installed here with apt-get when missing (with zlib1g-dev, for reading *.fvecs.gz).
# Flags match how Annoy's own Python package is built (-O3 -march=native: AVX/AVX-512 kernels),
# plus ANNOYLIB_MULTITHREADED_BUILD so the build uses all hardware threads.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
inc=/usr/lib/R/site-library/RcppAnnoy/include
out="$here/build/annoy_bench"
CXX="${CXX:-g++}"

fail() { echo "bench/annoy/build.sh: $*" >&2; exit 1; }

need_pkgs=()
[ -f "$inc/annoylib.h" ] && [ -f "$inc/kissrandom.h" ] || need_pkgs+=(r-cran-rcppannoy)
[ -f /usr/include/zlib.h ] || need_pkgs+=(zlib1g-dev)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || fail "missing ${need_pkgs[*]} and no apt-get to install them"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need_pkgs[*]} with apt-get ..." >&2
  $sudo apt-get update -qq >&2 || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2 \
    || fail "apt-get install ${need_pkgs[*]} failed"
fi
[ -f "$inc/annoylib.h" ] || fail "Annoy header not found at $inc/annoylib.h (check: dpkg -L r-cran-rcppannoy)"
[ -f /usr/include/zlib.h ] || fail "zlib.h not found (apt-get install zlib1g-dev)"
command -v "$CXX" >/dev/null || fail "C++ compiler '$CXX' not found (apt-get install g++)"

mkdir -p "$here/build"
"$CXX" -std=c++17 -O3 -march=native -DNDEBUG -DANNOYLIB_MULTITHREADED_BUILD \
  -DANNOY_HEADER_PATH="\"$inc/annoylib.h\"" -I"$inc" \
  -o "$out" "$here/annoy_bench.cc" -lz -pthread \
  || fail "compilation failed"
version="$(dpkg-query -W -f='${Version}' r-cran-rcppannoy 2>/dev/null || echo unknown)"
echo "built $out (r-cran-rcppannoy $version)"
