// Little-endian encoding helpers. Every read of on-disk bytes goes through
// ByteReader, which checks bounds and reports a Corrupt error naming the
// record being decoded instead of reading past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "errors.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "arroy-ts stores little-endian data and maps it in place: it needs a little-endian host"
#endif

namespace arroy {

class ByteReader {
 public:
  ByteReader(const void* data, size_t size, const char* what)
      : data_(static_cast<const uint8_t*>(data)), size_(size), what_(what) {}

  uint8_t u8() { return load<uint8_t>(); }
  uint16_t u16() { return load<uint16_t>(); }
  uint32_t u32() { return load<uint32_t>(); }
  uint64_t u64() { return load<uint64_t>(); }
  float f32() { return load<float>(); }

  // A pointer to the next n bytes, which stay owned by the caller's buffer.
  const uint8_t* bytes(size_t n) {
    need(n);
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  void skip(size_t n) { bytes(n); }
  size_t remaining() const { return size_ - pos_; }

  // Trailing bytes mean the record is not what we think it is.
  void expect_end() const {
    if (pos_ != size_) corrupt(std::string(what_) + " has " + std::to_string(size_ - pos_) + " trailing bytes");
  }

 private:
  void need(size_t n) const {
    if (n > size_ - pos_) {
      corrupt(std::string(what_) + " is truncated (" + std::to_string(size_) + " bytes, needs at least " +
              std::to_string(pos_ + n) + ")");
    }
  }
  template <typename T>
  T load() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const char* what_;
};

class ByteWriter {
 public:
  void u8(uint8_t v) { store(v); }
  void u16(uint16_t v) { store(v); }
  void u32(uint32_t v) { store(v); }
  void u64(uint64_t v) { store(v); }
  void f32(float v) { store(v); }
  void bytes(const void* p, size_t n) {
    if (n) std::memcpy(grow(n), p, n);
  }
  void zeros(size_t n) { out_.resize(out_.size() + n, 0); }
  void reserve(size_t n) { out_.reserve(n); }
  void clear() { out_.clear(); }
  std::vector<uint8_t>& buffer() { return out_; }
  const std::vector<uint8_t>& buffer() const { return out_; }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  uint8_t* grow(size_t n) {
    size_t at = out_.size();
    out_.resize(at + n);
    return out_.data() + at;
  }
  template <typename T>
  void store(T v) {
    std::memcpy(grow(sizeof(T)), &v, sizeof(T));
  }
  std::vector<uint8_t> out_;
};

// Reads element i of a little-endian u32 array that may be unaligned.
inline uint32_t load_u32(const uint8_t* base, size_t i) {
  uint32_t v;
  std::memcpy(&v, base + 4 * i, 4);
  return v;
}

}  // namespace arroy
