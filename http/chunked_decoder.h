// ChunkedDecoder: the chunked transfer coding (RFC 9112 §7.1) from the first chunk-size line to
// the end of the last-chunk line, byte by byte across any split of the input. It takes every
// chunk extension the RFC allows (BWS around ";" and "=", token or quoted-string values with
// quoted-pairs) and refuses anything else: a bad or overflowing size, a bare LF, a CR without LF,
// control characters, an unterminated quoted-string, data not followed by CRLF, and more than
// kMaxFraming bytes of framing between two pieces of data (a bound on extensions).
//
// llhttp 8.1 refuses valid extensions (a second one after one with a value, BWS, quoted-pairs)
// and has no lenient flag for them, so the message parser decodes chunked bodies with this and
// hands llhttp only the trailer section. Pure code, no I/O, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringress::http {

class ChunkedDecoder {
 public:
  // The longest framing between two pieces of chunk data: the CRLF after a chunk plus the next
  // chunk-size line with its extensions.
  static constexpr uint32_t kMaxFraming = 4096;

  enum class Status : uint8_t {
    need_more,   // every byte given was consumed
    data,        // the last `data` bytes consumed are chunk data
    last_chunk,  // the last-chunk line ended; the trailer section follows
    error,       // error() says why; the decoder stays in error
  };
  struct Result {
    Status status;
    std::size_t consumed;  // bytes of the input used
    std::size_t data;      // for Status::data: how many of them are chunk data (at the end)
  };

  // Decodes [p, end), stopping after a piece of data, after the last-chunk line, or at an error.
  Result decode(const char* p, const char* end);
  const char* error() const { return error_; }
  // Ready for another chunked body.
  void reset() { *this = ChunkedDecoder{}; }

 private:
  enum class State : uint8_t {
    size_first,     // the first hex digit of a chunk size
    size,           // more hex digits, or what follows the size
    size_bws,       // BWS after the size: a ";" must follow
    ext_start,      // after ";": BWS, then an extension name
    ext_name,       // in the name
    ext_name_bws,   // BWS after the name: "=" or ";"
    ext_value_bws,  // after "=": BWS, then a token or a quoted-string
    ext_token,      // in a token value
    ext_quoted,     // in a quoted-string value
    ext_escape,     // after a backslash in a quoted-string
    ext_end,        // after a value (or BWS after it): ";" or CR, BWS only before ";"
    ext_end_bws,    // BWS after a value: a ";" must follow
    line_lf,        // after the CR of a chunk-size line
    data,           // chunk data
    data_cr,        // the CR after chunk data
    data_lf,        // the LF after chunk data
    done,           // after the last-chunk line
    failed,
  };

  Result fail(const char* why, std::size_t consumed);

  State state_ = State::size_first;
  uint64_t size_ = 0;  // the chunk size being read, then the data bytes of the chunk still due
  uint32_t framing_ = 0;
  const char* error_ = "";
};

}  // namespace ringress::http
