// What the native tests, the fuzz targets and the benchmarks share: a private
// temporary directory, whole-file reads and writes, random vectors
// (random_vectors.h, which needs nothing of the core), index
// creation and builds through the core API, and where the values an index
// stored lie in its file. (Test-only helpers that report through the harness
// are in index_fixtures.h.)
//
// Nothing here reports a failure through the harness: a fixture that cannot do
// its job (no temporary directory, an unreadable file) aborts, and the core's
// errors propagate as exceptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "distance/metric.h"
#include "forest/build_job.h"
#include "index.h"
#include "random_vectors.h"

namespace arroy_test {

// A fresh directory for the files of a test or a fuzz target, removed with
// its files when the object is destroyed: at the end of its scope, or at
// exit() for a static one (libFuzzer ends a timed run with exit()). It lives
// under $TMPDIR when that is set (scripts/fuzz.sh points it at a directory it
// sweeps up after a crashed run), else on tmpfs (/dev/shm) when there is one,
// since tests and fuzzers write and sync many files, else under /tmp.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "arroy-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The whole content of a file, and a file written with exactly these bytes
// (created or truncated). Both abort, naming the path, when they cannot.
std::vector<uint8_t> read_file(const std::string& path);
void write_file(const std::string& path, const std::vector<uint8_t>& bytes);

// Options that create index `name` (or open it, if it exists with this shape).
arroy::OpenOptions create_options(uint32_t dimensions, arroy::Metric metric, const std::string& name = "vectors");
// Options that open the existing index `name`, taking its shape from the file.
arroy::OpenOptions existing(const std::string& name = "vectors", bool read_only = false);

// Runs a build the way the binding does: hands the pending changes to a job,
// runs it, and puts them back if it fails. threads 0 means 2 here, so that
// every build is parallel whatever the machine.
arroy::BuildReport build(arroy::Index& index, arroy::BuildOptions options = {});

// A value stored in an arroy-ts file (a record of the arroy-ts database or of
// an index's databases), as a byte range of the file. LMDB's page headers,
// node headers and meta pages lie outside every range.
struct StoredValue {
  std::string database;  // its database's name (format.h)
  std::string key;       // printable: the key itself, or a u32 key in decimal
  size_t offset;         // in the file
  size_t size;
};

// Every value of every database of the closed file at `path` (whose bytes are
// `file`), database by database in key order. Throws std::runtime_error when
// a value cannot be located, or its bytes are not at that place in `file`.
std::vector<StoredValue> locate_values(const std::string& path, const std::vector<uint8_t>& file);

}  // namespace arroy_test
