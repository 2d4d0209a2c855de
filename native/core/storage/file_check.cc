#include "storage/file_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "errors.h"

namespace arroy {

namespace {

namespace L = lmdb_layout;

// One meta page as read from the file: its first kMetaEnd bytes.
struct MetaBytes {
  uint8_t bytes[L::kMetaEnd];

  template <class T>
  T field(size_t offset) const {
    static_assert(sizeof(T) <= 8, "a meta field is at most 8 bytes");
    T value;
    // Every offset used is a constant below kMetaEnd - sizeof(T).
    std::memcpy(&value, bytes + offset, sizeof(T));
    return value;
  }
  bool is_meta_page() const { return (field<uint16_t>(L::kPageFlags) & L::kPageFlagMeta) != 0; }
  uint32_t magic() const { return field<uint32_t>(L::kMetaMagic); }
  uint32_t version() const { return field<uint32_t>(L::kMetaVersion); }
  uint32_t page_size() const { return field<uint32_t>(L::kMetaPageSize); }
  uint16_t env_flags() const { return field<uint16_t>(L::kMetaEnvFlags); }
  uint16_t main_flags() const { return field<uint16_t>(L::kMetaMainFlags); }
  uint64_t free_root() const { return field<uint64_t>(L::kMetaFreeRoot); }
  uint64_t main_root() const { return field<uint64_t>(L::kMetaMainRoot); }
  uint64_t last_page() const { return field<uint64_t>(L::kMetaLastPage); }
  uint64_t txn_id() const { return field<uint64_t>(L::kMetaTxnId); }
};

// Reads kMetaEnd bytes at offset; false when the file is shorter.
bool read_meta(int fd, uint64_t offset, uint64_t file_size, MetaBytes* meta, const std::string& path) {
  if (offset > file_size || file_size - offset < L::kMetaEnd) return false;
  size_t got = 0;
  while (got < L::kMetaEnd) {
    ssize_t n = ::pread(fd, meta->bytes + got, L::kMetaEnd - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      fail(ErrorCode::Storage, "cannot read " + path + ": " + std::strerror(err));
    }
    if (n == 0) return false;  // shrank meanwhile
    got += static_cast<size_t>(n);
  }
  return true;
}

[[noreturn]] void damaged(const std::string& path, const std::string& what) {
  fail(ErrorCode::Corrupt, "corrupt index file: " + path + ": " + what);
}

bool valid_page_size(uint32_t size) {
  return size >= L::kMinPageSize && size <= L::kMaxPageSize && (size & (size - 1)) == 0;
}

// A root page number: an empty DB, or a page after the two meta pages, no
// later than the last page, and present in the file.
bool valid_root(uint64_t root, uint64_t last_page, uint64_t pages_in_file) {
  return root == L::kInvalidPage || (root >= 2 && root <= last_page && root < pages_in_file);
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

LmdbFileCheck check_lmdb_file(const std::string& path) {
  LmdbFileCheck info;
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    int err = errno;
    fail(err == ENOENT || err == EISDIR ? ErrorCode::NotAnIndex : ErrorCode::Storage,
         "cannot open " + path + ": " + std::strerror(err));
  }
  struct stat st;
  if (::fstat(file.fd, &st) != 0) {
    int err = errno;
    fail(ErrorCode::Storage, "cannot open " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) fail(ErrorCode::NotAnIndex, path + " is not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size == 0) {
    info.empty = true;
    return info;
  }

  MetaBytes metas[2];
  if (!read_meta(file.fd, 0, size, &metas[0], path)) {
    // Too short for one meta page. A truncated LMDB file still shows the magic.
    uint8_t head[L::kMetaMagic + 4] = {};
    bool lmdb_magic = false;
    if (size >= sizeof(head) && ::pread(file.fd, head, sizeof(head), 0) == ssize_t(sizeof(head))) {
      uint32_t magic;
      std::memcpy(&magic, head + L::kMetaMagic, 4);
      lmdb_magic = magic == L::kMagic;
    }
    if (lmdb_magic) damaged(path, "the file is truncated inside its first LMDB meta page");
    fail(ErrorCode::NotAnIndex, path + " is not an LMDB environment (too short)");
  }
  if (!metas[0].is_meta_page() || metas[0].magic() != L::kMagic) {
    fail(ErrorCode::NotAnIndex, path + " is not an LMDB environment");
  }
  if (metas[0].version() != L::kDataVersion) {
    fail(ErrorCode::NotAnIndex, path + " is an LMDB environment of data version " +
                                    std::to_string(metas[0].version()) + ", not " +
                                    std::to_string(L::kDataVersion));
  }
  const uint32_t page_size = metas[0].page_size();
  if (!valid_page_size(page_size)) damaged(path, "LMDB meta page 0 has page size " + std::to_string(page_size));
  // LMDB reads the second meta page one page (of the first meta's size) in.
  if (!read_meta(file.fd, page_size, size, &metas[1], path)) {
    damaged(path, "the file is truncated inside its second LMDB meta page");
  }
  if (!metas[1].is_meta_page() || metas[1].magic() != L::kMagic || metas[1].version() != L::kDataVersion) {
    damaged(path, "LMDB meta page 1 is damaged");
  }
  if (metas[1].page_size() != page_size) {
    damaged(path, "the LMDB meta pages disagree on the page size (" + std::to_string(page_size) + " and " +
                      std::to_string(metas[1].page_size()) + ")");
  }

  // LMDB uses the meta with the higher transaction id (meta 0 on a tie),
  // both when opening and when each transaction starts.
  const int picked = metas[1].txn_id() > metas[0].txn_id() ? 1 : 0;
  const MetaBytes& meta = metas[picked];
  const std::string which = "LMDB meta page " + std::to_string(picked);
  if ((meta.env_flags() & ~L::kKnownEnvFlags) != 0) {
    damaged(path, which + " has unknown flags " + std::to_string(meta.env_flags()));
  }
  if ((meta.main_flags() & ~L::kKnownDbFlags) != 0) {
    damaged(path, which + " has unknown database flags " + std::to_string(meta.main_flags()));
  }
  const uint64_t last_page = meta.last_page();
  const uint64_t pages_in_file = size / page_size;
  // LMDB does not write pages that a commit freed again before it ended
  // ("loose" pages), so a sound file may stop a few pages short of the last
  // page its meta names. Those pages are free and never read; a file short
  // by more than that lost pages that may be in use.
  if (last_page < 1 || last_page >= pages_in_file + L::kUnwrittenTailPages) {
    damaged(path, which + " names page " + std::to_string(last_page) + " as its last, but the file holds " +
                      std::to_string(pages_in_file) + " pages of " + std::to_string(page_size) +
                      " bytes (truncated?)");
  }
  if (!valid_root(meta.free_root(), last_page, pages_in_file) ||
      !valid_root(meta.main_root(), last_page, pages_in_file)) {
    damaged(path, which + " names a root page outside the file");
  }
  return info;
}

}  // namespace arroy
