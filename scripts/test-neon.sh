#!/usr/bin/env bash
# Cross-compiles the distance-kernel tests for arm64 and runs them under
# qemu-user, so the NEON kernels are checked against the scalar reference on
# an x86-64 machine. Installs the cross compiler and qemu from Debian if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v aarch64-linux-gnu-g++ >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++-aarch64-linux-gnu qemu-user
fi
out=$(mktemp -d)
# The distance folder is self-contained: its kernels, the dispatch and the
# metrics need only the core's errors.
aarch64-linux-gnu-g++ -std=c++17 -O2 -static -Inative/core -Inative/tests \
  native/core/distance/*.cc native/core/errors.cc \
  native/tests/harness.cc native/tests/test_distance.cc -o "$out/test_distance"
qemu-aarch64 -cpu max "$out/test_distance"
# The CRC32C of stored vectors: the ARMv8 CRC instructions against the table
# version, both against the RFC 3720 answers.
aarch64-linux-gnu-g++ -std=c++17 -O2 -static -Inative/core -Inative/tests \
  native/core/checksum/*.cc native/core/errors.cc \
  native/tests/harness.cc native/tests/test_checksum.cc -o "$out/test_checksum"
qemu-aarch64 -cpu max "$out/test_checksum"
rm -rf "$out"
