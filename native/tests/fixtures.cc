#include "fixtures.h"

#include <dirent.h>
#include <lmdb.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "format.h"
#include "items/index_databases.h"
#include "records/file_records.h"
#include "storage/environment.h"
#include "storage/lmdb_error.h"
#include "storage/transaction.h"

namespace arroy_test {

// ---------------------------------------------------------------- files

TempDir::TempDir(const std::string& prefix) {
  std::vector<std::string> bases;
  if (const char* tmp = std::getenv("TMPDIR")) {
    if (*tmp) bases.push_back(tmp);
  }
  bases.push_back("/dev/shm");
  bases.push_back("/tmp");
  for (const std::string& base : bases) {
    std::string pattern = base + "/" + prefix + "-XXXXXX";
    if (::mkdtemp(&pattern[0])) {
      path_ = pattern;
      return;
    }
  }
  std::perror("cannot create a temporary directory");
  std::abort();
}

TempDir::~TempDir() {
  if (DIR* dir = ::opendir(path_.c_str())) {
    while (dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") ::unlink(file(name).c_str());
    }
    ::closedir(dir);
  }
  ::rmdir(path_.c_str());
}

std::vector<uint8_t> read_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    std::perror(("cannot read " + path).c_str());
    std::abort();
  }
  std::vector<uint8_t> bytes;
  uint8_t buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  std::fclose(f);
  return bytes;
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  bool ok = f != nullptr;
  if (ok && !bytes.empty()) ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (f && std::fclose(f) != 0) ok = false;
  if (!ok) {
    std::perror(("cannot write " + path).c_str());
    std::abort();
  }
}

// ---------------------------------------------------------------- indexes

arroy::OpenOptions create_options(uint32_t dimensions, arroy::Metric metric, const std::string& name) {
  arroy::OpenOptions o;
  o.name = name;
  o.dimensions = dimensions;
  o.metric = metric;
  return o;
}

arroy::OpenOptions existing(const std::string& name, bool read_only) {
  arroy::OpenOptions o;
  o.name = name;
  o.read_only = read_only;
  return o;
}

arroy::BuildReport build(arroy::Index& index, arroy::BuildOptions options) {
  if (!options.threads) options.threads = 2;
  std::unique_ptr<arroy::BuildJob> job = index.start_build(options);
  arroy::BuildMonitor monitor;
  try {
    return job->run(monitor);
  } catch (...) {
    index.restore_pending(*job);
    throw;
  }
}

// ---------------------------------------------------------------- stored values

std::vector<StoredValue> locate_values(const std::string& path, const std::vector<uint8_t>& file) {
  std::shared_ptr<arroy::Environment> env = arroy::Environment::open(path, {true, 0});
  // LMDB does not say where it mapped the file, but the map starts on a page
  // boundary and every page begins with its own number (a u64): the page
  // holding a value gives the value's offset in the file. Each offset is
  // then checked against the file's bytes.
  const size_t page = env->page_size();
  if (page != size_t(::sysconf(_SC_PAGESIZE))) {
    throw std::runtime_error("locate_values: LMDB pages are not the pages of the memory map");
  }
  auto file_offset = [&](const void* p) {
    const uintptr_t address = reinterpret_cast<uintptr_t>(p);
    const uintptr_t page_start = address & ~uintptr_t(page - 1);
    uint64_t pgno;
    std::memcpy(&pgno, reinterpret_cast<const void*>(page_start), 8);
    return size_t(pgno * page + (address - page_start));
  };

  // Every database is opened before the snapshot below begins: a transaction
  // only sees the database handles that existed when it started.
  std::vector<arroy::DatabaseSpec> specs{{arroy::kDatabaseName, false}};
  {
    arroy::Transaction txn;
    txn.begin(*env, false);
    MDB_val value;
    if (!txn.get(env->main_database(), std::string(arroy::kCatalogKey), &value)) {
      throw std::runtime_error("locate_values: the file has no catalog");
    }
    for (const arroy::CatalogEntry& entry : arroy::decode_catalog(value.mv_data, value.mv_size)) {
      for (const arroy::DatabaseSpec& spec : arroy::index_database_specs(entry.index)) specs.push_back(spec);
    }
  }
  std::vector<MDB_dbi> handles{env->main_database()};
  for (size_t i = 1; i < specs.size(); i++) handles.push_back(env->database(specs[i]));

  arroy::Transaction txn;
  txn.begin(*env, false);
  std::vector<StoredValue> values;
  for (size_t i = 0; i < specs.size(); i++) {
    const arroy::DatabaseSpec& spec = specs[i];
    MDB_cursor* cursor = nullptr;
    arroy::check_lmdb(mdb_cursor_open(txn.txn(), handles[i], &cursor), "mdb_cursor_open");
    MDB_val key, value;
    for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
      if (value.mv_size == 0) continue;
      std::string printable;
      if (spec.integer_keys) {
        uint32_t k;
        std::memcpy(&k, key.mv_data, 4);
        printable = std::to_string(k);
      } else {
        printable.assign(static_cast<const char*>(key.mv_data), key.mv_size);
      }
      const size_t offset = file_offset(value.mv_data);
      if (offset + value.mv_size > file.size() ||
          std::memcmp(file.data() + offset, value.mv_data, value.mv_size) != 0) {
        mdb_cursor_close(cursor);
        throw std::runtime_error("locate_values: " + spec.name + "[" + printable +
                                 "] is not where its page says");
      }
      values.push_back({spec.name, printable, offset, value.mv_size});
    }
    mdb_cursor_close(cursor);
  }
  return values;
}

}  // namespace arroy_test
