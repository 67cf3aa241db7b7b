#include "http/output_batch.h"

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
  int rc = co_await stream.writev(std::span<iovec>(iov_), deadline);
  clear();
  co_return rc;
}

void OutputBatch::clear() {
  pieces_.clear();
  text_.clear();
  bytes_ = 0;
}

}  // namespace ringress::http
