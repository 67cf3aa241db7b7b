#include "http/output_batch.h"

#include <algorithm>
#include <climits>

#include "http/serializer.h"

namespace ringress::http {

void OutputBatch::commit_text(std::size_t start) {
  auto length = static_cast<uint32_t>(text_.size() - start);
  if (length == 0) return;
  bytes_ += length;
  if (!pieces_.empty() && pieces_.back().slice.empty() &&
      pieces_.back().offset + pieces_.back().length == start) {
    pieces_.back().length += length;
    return;
  }
  pieces_.push_back({{}, static_cast<uint32_t>(start), length});
}

void OutputBatch::append_slice(core::BufferSlice slice) {
  if (slice.empty()) return;
  const uint32_t copy_limit = pieces_.size() < kManyPieces ? kCopyAlways : kCopyWhenMany;
  if (slice.size() <= copy_limit) {
    append_text(slice.view());  // joins the text piece before it, if any
    return;
  }
  bytes_ += slice.size();
  uint32_t n = slice.size();
  pieces_.push_back({std::move(slice), 0, n});
}

void OutputBatch::append_body(core::BufferSlice slice, bool chunked) {
  if (!chunked) {
    append_slice(std::move(slice));
    return;
  }
  std::size_t start = text_.size();
  write_chunk_header(text_, slice.size());
  commit_text(start);
  append_slice(std::move(slice));
  append_text("\r\n");
}

void OutputBatch::append_last_chunk(const HeaderMap& trailers) {
  std::size_t start = text_.size();
  write_last_chunk(text_, trailers);
  commit_text(start);
}

core::Task<int> OutputBatch::flush(core::Stream& stream, core::TimePoint deadline) {
  if (pieces_.empty()) co_return 0;
  iov_.clear();
  for (const auto& p : pieces_) {
    if (p.slice.empty())
      iov_.push_back({text_.data() + p.offset, p.length});
    else
      iov_.push_back({const_cast<char*>(p.slice.data()), p.slice.size()});
  }
  // One writev with more than IOV_MAX iovecs fails whole (EMSGSIZE).
  int rc = 0;
  std::size_t written = 0;
  for (std::size_t first = 0; first < iov_.size();) {
    const std::size_t n = std::min<std::size_t>(iov_.size() - first, IOV_MAX);
    rc = co_await stream.writev(std::span<iovec>(iov_.data() + first, n), deadline);
    if (rc < 0) break;
    written += static_cast<std::size_t>(rc);
    first += n;
  }
  clear();
  co_return rc < 0 ? rc : static_cast<int>(written);
}

void OutputBatch::clear() {
  pieces_.clear();
  text_.clear();
  bytes_ = 0;
  // What a pathological peer made grow is not kept for the life of the pooled context.
  if (text_.capacity() > kKeptText) {
    std::string().swap(text_);
    text_.reserve(kInitialText);
  }
  if (pieces_.capacity() > kKeptPieces) {
    std::vector<Piece>().swap(pieces_);
    pieces_.reserve(kInitialPieces);
  }
  if (iov_.capacity() > kKeptPieces) {
    std::vector<iovec>().swap(iov_);
    iov_.reserve(kInitialPieces);
  }
}

}  // namespace ringress::http
