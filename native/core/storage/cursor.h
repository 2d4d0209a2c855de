// LMDB cursors, closed with their object. Like every read of the core, each
// key and value a cursor returns is checked to lie in the mapped file.
#pragma once

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace arroy {

class Transaction;

// The cursor both kinds below share.
class OpenCursor {
 public:
  OpenCursor(const Transaction& txn, MDB_dbi dbi);
  ~OpenCursor();
  OpenCursor(const OpenCursor&) = delete;
  OpenCursor& operator=(const OpenCursor&) = delete;

 protected:
  // Moves by `op` (key in: the key sought, if any); false when there is no
  // such record. Key and value are checked to lie in the mapped file.
  bool move(int op, MDB_val* key, MDB_val* value);
  MDB_cursor* cursor_ = nullptr;
};

// A cursor over an integer-keyed database (u32 keys).
class Cursor : private OpenCursor {
 public:
  using OpenCursor::OpenCursor;

  // Moves to the first record; false when the database is empty.
  bool first(uint32_t* key, MDB_val* value);
  // Moves to the first record with a key >= *key, and stores that key.
  bool seek(uint32_t* key, MDB_val* value);
  bool next(uint32_t* key, MDB_val* value);
  // Positions exactly at key; false when absent. Cheap for ascending keys
  // because LMDB first checks the page the cursor is already on.
  bool find(uint32_t key, MDB_val* value);
  // Writes or deletes the record at key (write transactions), as cheaply as
  // find() for ascending keys.
  void put(uint32_t key, const void* bytes, size_t size);
  bool del(uint32_t key);

 private:
  bool read(int op, uint32_t* key, MDB_val* value);
};

// A cursor over a string-keyed database (the key maps).
class KeyCursor : private OpenCursor {
 public:
  using OpenCursor::OpenCursor;

  // Moves to the first record (with from: the first whose key is >= from);
  // false when there is none.
  bool first(MDB_val* key, MDB_val* value);
  bool seek(const std::string& from, MDB_val* key, MDB_val* value);
  bool next(MDB_val* key, MDB_val* value);
};

}  // namespace arroy
