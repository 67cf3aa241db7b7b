// OutputBatch: what goes out on a connection next, gathered so that one writev carries a
// response head, chunk framing and body slices together. Text (heads, chunk sizes) is appended
// to one reusable string; body bytes stay in their receive buffers (BufferSlices), no copy.
// Small slices are the exception: they are copied into the text, so a peer that sends a body
// as thousands of one-byte chunks costs a few iovecs (not three per byte) and pins no receive
// buffer per chunk. A flush passes at most IOV_MAX iovecs to each writev.
#pragma once

#include <sys/uio.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/buffer_pool.h"
#include "core/stream.h"
#include "core/task.h"
#include "http/header_map.h"

namespace ringress::http {

class OutputBatch {
 public:
  OutputBatch() {
    text_.reserve(kInitialText);
    pieces_.reserve(kInitialPieces);
    iov_.reserve(kInitialPieces);
  }

  // Serializers append to text(); then commit_text(start) records what they wrote.
  std::string& text() { return text_; }
  std::size_t text_size() const { return text_.size(); }
  void commit_text(std::size_t start);
  void append_text(std::string_view s) {
    std::size_t start = text_.size();
    text_.append(s);
    commit_text(start);
  }
  // Body bytes as they are (copied into the text when small).
  void append_slice(core::BufferSlice slice);
  // Body bytes, framed as one chunk when `chunked`.
  void append_body(core::BufferSlice slice, bool chunked);
  // The end of a chunked body: the last chunk and the trailers.
  void append_last_chunk(const HeaderMap& trailers);

  std::size_t bytes() const { return bytes_; }
  bool empty() const { return pieces_.empty(); }
  // Writes everything gathered; returns bytes written or -errno. The batch is empty afterwards.
  core::Task<int> flush(core::Stream& stream, core::TimePoint deadline);
  void clear();

  // Slices up to this size are always copied into the text...
  static constexpr uint32_t kCopyAlways = 512;
  // ...and up to this size once the batch holds many pieces.
  static constexpr uint32_t kCopyWhenMany = 4096;
  static constexpr std::size_t kManyPieces = 64;

 private:
  static constexpr std::size_t kInitialText = 4096;
  static constexpr std::size_t kInitialPieces = 8;
  // Beyond these, clear() gives the memory back.
  static constexpr std::size_t kKeptText = 64 * 1024;
  static constexpr std::size_t kKeptPieces = 1024;

  struct Piece {
    core::BufferSlice slice;  // empty: text_[offset, offset+length)
    uint32_t offset = 0;
    uint32_t length = 0;
  };
  std::string text_;
  std::vector<Piece> pieces_;
  std::vector<iovec> iov_;
  std::size_t bytes_ = 0;
};

}  // namespace ringress::http
