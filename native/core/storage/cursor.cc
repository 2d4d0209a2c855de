#include "storage/cursor.h"

#include <cstring>

#include "errors.h"
#include "storage/lmdb_error.h"
#include "storage/map_region.h"
#include "storage/transaction.h"

namespace arroy {

OpenCursor::OpenCursor(const Transaction& txn, MDB_dbi dbi) {
  check_lmdb(mdb_cursor_open(txn.txn(), dbi, &cursor_), "cannot open a cursor");
}

OpenCursor::~OpenCursor() {
  if (cursor_) mdb_cursor_close(cursor_);
}

bool OpenCursor::move(int op, MDB_val* key, MDB_val* value) {
  int rc = mdb_cursor_get(cursor_, key, value, static_cast<MDB_cursor_op>(op));
  if (rc == MDB_NOTFOUND) return false;
  check_lmdb(rc, "cursor read failed");
  check_in_map(mdb_cursor_txn(cursor_), *key);
  check_in_map(mdb_cursor_txn(cursor_), *value);
  return true;
}

bool Cursor::read(int op, uint32_t* key, MDB_val* value) {
  MDB_val k{sizeof(*key), key};  // the key sought, for MDB_SET_RANGE
  if (!move(op, &k, value)) return false;
  if (k.mv_size != sizeof(uint32_t)) corrupt("a key of an integer-keyed database is not 4 bytes");
  std::memcpy(key, k.mv_data, sizeof(uint32_t));
  return true;
}

bool Cursor::first(uint32_t* key, MDB_val* value) { return read(MDB_FIRST, key, value); }

bool Cursor::seek(uint32_t* key, MDB_val* value) { return read(MDB_SET_RANGE, key, value); }

bool Cursor::next(uint32_t* key, MDB_val* value) { return read(MDB_NEXT, key, value); }

bool Cursor::find(uint32_t key, MDB_val* value) {
  MDB_val k{sizeof(key), &key};
  int rc = mdb_cursor_get(cursor_, &k, value, MDB_SET);
  if (rc == MDB_NOTFOUND) return false;
  check_lmdb(rc, "cursor find failed");
  check_in_map(mdb_cursor_txn(cursor_), *value);
  return true;
}

void Cursor::put(uint32_t key, const void* bytes, size_t size) {
  MDB_val k{sizeof(key), &key};
  MDB_val v{size, const_cast<void*>(bytes)};
  MDB_val old;
  // MDB_CURRENT replaces the record the cursor is on (of any size) without
  // searching for it again.
  unsigned flags = find(key, &old) ? MDB_CURRENT : 0;
  check_lmdb(mdb_cursor_put(cursor_, &k, &v, flags), "write failed");
}

bool Cursor::del(uint32_t key) {
  MDB_val old;
  if (!find(key, &old)) return false;
  check_lmdb(mdb_cursor_del(cursor_, 0), "delete failed");
  return true;
}

bool KeyCursor::first(MDB_val* key, MDB_val* value) { return move(MDB_FIRST, key, value); }

bool KeyCursor::seek(const std::string& from, MDB_val* key, MDB_val* value) {
  *key = MDB_val{from.size(), const_cast<char*>(from.data())};
  return move(MDB_SET_RANGE, key, value);
}

bool KeyCursor::next(MDB_val* key, MDB_val* value) { return move(MDB_NEXT, key, value); }

}  // namespace arroy
