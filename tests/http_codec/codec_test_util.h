// Test helpers for the HTTP codec: BufferSlices made from strings, and a driver that feeds slices
// to a parser and writes every event as one line of text, so tests compare exact transcripts.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/buffer_pool.h"
#include "core/reactor.h"
#include "http/parser.h"

namespace ringress::http::testing {

// Receive buffers filled by the test instead of the kernel. Declare it before anything that
// holds a slice (slices must die first).
class Slices {
 public:
  static constexpr uint32_t kBufferSize = 128 * 1024;
  static constexpr uint32_t kCount = 256;

  Slices() : pool_(reactor_, kBufferSize, kCount) {}

  core::BufferSlice make(std::string_view bytes) {
    EXPECT_LE(bytes.size(), kBufferSize);
    uint16_t bid = next_;
    next_ = uint16_t((next_ + 1) % kCount);
    if (!bytes.empty())
      std::memcpy(const_cast<char*>(pool_.buffer(bid)), bytes.data(), bytes.size());
    return pool_.take(bid, uint32_t(bytes.size()));
  }
  // `bytes` cut at the given offsets.
  std::vector<core::BufferSlice> split(std::string_view bytes, std::vector<std::size_t> cuts) {
    std::vector<core::BufferSlice> out;
    std::size_t from = 0;
    cuts.push_back(bytes.size());
    for (std::size_t cut : cuts) {
      out.push_back(make(bytes.substr(from, cut - from)));
      from = cut;
    }
    return out;
  }

 private:
  core::Reactor reactor_;
  core::BufferPool pool_;
  uint16_t next_ = 0;
};

inline std::string describe_fields(const HeaderMap& fields) {
  std::string s;
  for (const auto& f : fields) {
    s += " | ";
    s.append(f.name);
    s += ": ";
    s.append(f.value);
  }
  return s;
}

inline std::string describe(const RequestHead& h) {
  std::string s = "head ";
  s.append(h.method);
  s += " ";
  s.append(h.target);
  s += " path=";
  s.append(h.path);
  s += " query=";
  s.append(h.query);
  s += " origin=";
  s.append(h.origin_target);
  s += " v1." + std::to_string(h.version_minor) + " host=";
  s.append(h.host);
  s += " ka=" + std::to_string(h.keep_alive) + " chunked=" + std::to_string(h.chunked);
  s += " cl=" + (h.has_content_length ? std::to_string(h.content_length) : std::string("-"));
  s += " upgrade=" + std::to_string(h.upgrade) + " expect=" + std::to_string(h.expect_continue);
  s += " absolute=" + std::to_string(h.absolute_form);
  return s + describe_fields(h.headers);
}

inline std::string describe(const ResponseHead& h) {
  std::string s = "head " + std::to_string(h.status) + " ";
  s.append(h.reason);
  s += " v1." + std::to_string(h.version_minor);
  s += " ka=" + std::to_string(h.keep_alive) + " chunked=" + std::to_string(h.chunked);
  s += " cl=" + (h.has_content_length ? std::to_string(h.content_length) : std::string("-"));
  s += " upgrade=" + std::to_string(h.upgrade) + " no_body=" + std::to_string(h.no_body);
  return s + describe_fields(h.headers);
}

// Feeds `slices` in order, calling parse() until need_more on each. Consecutive body pieces are
// merged into one "body ..." line (their split depends on the input's). Stops at upgrade
// (adding "rest ..." with the bytes after it) and at error ("error <status> <reason>").
template <typename Parser>
std::vector<std::string> drive(Parser& parser, const std::vector<core::BufferSlice>& slices) {
  std::vector<std::string> log;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    const core::BufferSlice& in = slices[i];
    uint32_t offset = 0;
    for (;;) {
      uint32_t before = offset;
      ParseStatus st = parser.parse(in, offset);
      EXPECT_GE(offset, before);
      EXPECT_LE(offset, in.size());
      if (st == ParseStatus::need_more) {
        EXPECT_EQ(offset, in.size());
        break;
      }
      if (st == ParseStatus::head) {
        log.push_back(describe(parser.head()));
      } else if (st == ParseStatus::body) {
        const core::BufferSlice& b = parser.body();
        EXPECT_FALSE(b.empty());
        // Zero copy: the body is the input bytes just consumed.
        EXPECT_EQ(b.data() + b.size(), in.data() + offset);
        EXPECT_GE(b.data(), in.data());
        if (log.empty() || log.back().rfind("body ", 0) != 0) log.push_back("body ");
        log.back().append(b.view());
      } else if (st == ParseStatus::message_complete) {
        log.push_back("complete" + describe_fields(parser.trailers()));
      } else if (st == ParseStatus::upgrade) {
        log.push_back("upgrade");
        std::string rest(in.view().substr(offset));
        for (std::size_t j = i + 1; j < slices.size(); ++j) rest.append(slices[j].view());
        log.push_back("rest " + rest);
        return log;
      } else {
        log.push_back("error " + std::to_string(parser.error_status()) + " " +
                      std::string(parser.error_reason()));
        return log;
      }
    }
  }
  return log;
}

}  // namespace ringress::http::testing
