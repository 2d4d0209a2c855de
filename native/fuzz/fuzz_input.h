// Reads a fuzz input from the front as a stream of little numbers. Running
// out of input is not an error: every read then returns zero, so each input,
// however short, decodes to some test case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t u8() { return static_cast<uint8_t>(take(1)); }
  uint16_t u16() { return static_cast<uint16_t>(take(2)); }
  uint32_t u32() { return static_cast<uint32_t>(take(4)); }
  bool empty() const { return pos_ >= size_; }
  size_t remaining() const { return size_ - pos_; }

  // Up to n of the next bytes.
  std::vector<uint8_t> bytes(size_t n) {
    if (n > remaining()) n = remaining();
    std::vector<uint8_t> out(data_ + pos_, data_ + pos_ + n);
    pos_ += n;
    return out;
  }
  // Everything not read yet.
  std::vector<uint8_t> rest() { return bytes(remaining()); }

 private:
  uint64_t take(size_t n) {
    uint64_t value = 0;
    for (size_t i = 0; i < n && pos_ < size_; i++) value |= uint64_t(data_[pos_++]) << (8 * i);
    return value;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};
