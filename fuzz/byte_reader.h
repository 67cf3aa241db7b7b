// ByteReader: decisions and strings taken from the front of a fuzz input. Past the end every read
// returns zeros / empty, so any input decodes to something (inputs stay meaningful when the
// fuzzer cuts them short).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ringress::fuzz {

class ByteReader {
 public:
  ByteReader(const uint8_t* data, std::size_t size)
      : data_(reinterpret_cast<const char*>(data)), size_(size) {}
  explicit ByteReader(std::string_view s) : data_(s.data()), size_(s.size()) {}

  uint8_t u8() { return pos_ < size_ ? static_cast<uint8_t>(data_[pos_++]) : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() << 8 | u8()); }
  bool flag() { return (u8() & 1) != 0; }
  // A number in [0, n) (n > 0) from one byte.
  std::size_t below(std::size_t n) { return u8() % n; }
  // Up to `n` bytes, fewer at the end.
  std::string_view bytes(std::size_t n) {
    if (n > size_ - pos_) n = size_ - pos_;
    std::string_view s(data_ + pos_, n);
    pos_ += n;
    return s;
  }
  // A string whose length (at most `max`) comes from the input first.
  std::string_view string(std::size_t max) { return bytes(u8() % (max + 1)); }
  std::string_view rest() { return bytes(size_ - pos_); }
  std::size_t remaining() const { return size_ - pos_; }
  bool empty() const { return pos_ >= size_; }

 private:
  const char* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace ringress::fuzz
