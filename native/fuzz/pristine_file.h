// The valid index file fuzz_search damages: built once per process with the
// core API, plus where each of arroy-ts's own record values lies in it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fixtures.h"

struct PristineIndex {
  std::string name;
  bool string_keys = false;
  uint32_t dimensions = 0;
  std::vector<uint32_t> ids;       // ids stored (string-keyed: the ids the keys got)
  std::vector<std::string> keys;   // string-keyed indexes only
  std::vector<float> query;
};

struct PristineFile {
  std::vector<uint8_t> bytes;
  // Every value arroy-ts stored (a node, a slab, an id record, metadata...),
  // without overlap. LMDB's page headers, node headers and meta pages lie
  // outside them: LMDB 0.9 trusts those and crashes on damage to them, which
  // arroy-ts cannot prevent (see test_corrupt_file.cc).
  std::vector<arroy_test::StoredValue> values;
  size_t value_bytes = 0;  // sum of their sizes
  std::vector<PristineIndex> indexes;
};

// Builds the file at `path` and reads it back; aborts on any failure (the
// fuzz target is useless without it).
PristineFile make_pristine_file(const std::string& path);
