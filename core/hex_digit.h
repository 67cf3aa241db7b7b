// hex_digit: the value of one hexadecimal digit, for the parsers that read them (chunk sizes,
// percent-encodings in paths and health-check payloads).
#pragma once

namespace ringress::core {

// 0-15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for any other byte.
constexpr int hex_digit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace ringress::core
