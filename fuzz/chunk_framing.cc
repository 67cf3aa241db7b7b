// chunk_framing target: any bytes as a chunked body (RFC 9112 7.1), given to ChunkedDecoder
// directly and, after a chunked head, to RequestParser and ResponseParser, cut into buffers
// where the input says. Checks:
//  - the decoder against a plain model of the RFC grammar: chunk-size, extensions with BWS
//    around ";" and "=", token or quoted-string values, CRLF everywhere; the same data bytes, the
//    last chunk ending at the same byte, an error exactly when the model finds one (or when the
//    framing between two pieces of data passes ChunkedDecoder::kMaxFraming);
//  - cuts change nothing, in the decoder and in the parsers;
//  - both parsers make the same of the same body (data, trailers, verdict), and agree with the
//    model: a body the model refuses never completes, one it accepts (with an empty trailer
//    section) completes with the model's data.
//
// Input: the low 4 bits of byte 0 count the cut bytes that follow (fuzz_slices.h); the rest is
// the body.
#include <string>
#include <vector>

#include "core/arena.h"
#include "fuzz/byte_reader.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_slices.h"
#include "fuzz/fuzz_targets.h"
#include "fuzz/http_transcript.h"
#include "http/chunked_decoder.h"
#include "http/header_map.h"
#include "http/parser.h"

namespace ringress::fuzz {
namespace {

enum class Verdict { need_more, last_chunk, error };

const char* name(Verdict v) {
  switch (v) {
    case Verdict::need_more:
      return "need_more";
    case Verdict::last_chunk:
      return "last_chunk";
    case Verdict::error:
      return "error";
  }
  return "?";
}

struct Decoded {
  Verdict verdict = Verdict::need_more;
  std::size_t end = 0;  // last_chunk: the offset just past the last-chunk line
  std::string data;
  std::string why;  // error: the reason
  // Model only: the framing count came near the decoder's limit, where the model does not
  // pretend to know on which byte the decoder stops.
  bool near_limit = false;
};

// --- The model: RFC 9112 7.1 ---

class Model {
 public:
  explicit Model(std::string_view in) : in_(in) {}

  Decoded run() {
    Decoded d;
    d.verdict = decode(d);
    // Framing past the limit is an error, wherever the grammar would have stopped.
    const uint32_t limit = http::ChunkedDecoder::kMaxFraming;
    if (max_framing_ + 8 >= limit && max_framing_ <= limit + 8) d.near_limit = true;
    if (max_framing_ > limit + 8 && d.verdict != Verdict::error) d.verdict = Verdict::error;
    return d;
  }

 private:
  static bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
  static unsigned hex(char c) {
    return c <= '9' ? unsigned(c - '0') : unsigned((c | 0x20) - 'a' + 10);
  }
  bool at_end() const { return pos_ >= in_.size(); }
  char peek() const { return in_[pos_]; }
  void take() {
    ++pos_;
    if (++framing_ > max_framing_) max_framing_ = framing_;
  }
  void skip_bws() {
    while (!at_end() && (peek() == ' ' || peek() == '\t')) take();
  }
  // 1*tchar; false when none.
  bool token() {
    std::size_t start = pos_;
    while (!at_end() && http::is_tchar(peek())) take();
    return pos_ > start;
  }

  Verdict decode(Decoded& d) {
    for (;;) {
      // chunk-size
      uint64_t size = 0;
      std::size_t digits = 0;
      while (!at_end() && is_hex(peek())) {
        if (size > (UINT64_MAX >> 4)) return fail(d, "chunk size overflows");
        size = size << 4 | hex(peek());
        take();
        ++digits;
      }
      if (at_end()) return Verdict::need_more;
      if (digits == 0) return fail(d, "no chunk size");
      // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
      for (;;) {
        const std::size_t before = pos_;
        skip_bws();
        if (at_end()) return Verdict::need_more;
        if (peek() != ';') {
          if (pos_ != before) return fail(d, "whitespace not followed by ;");
          break;
        }
        take();
        skip_bws();
        if (!token()) return at_end() ? Verdict::need_more : fail(d, "no extension name");
        const std::size_t after_name = pos_;
        skip_bws();
        if (at_end()) return Verdict::need_more;
        if (peek() == ';') continue;
        if (peek() != '=') {
          if (pos_ != after_name) return fail(d, "whitespace not followed by ; or =");
          break;
        }
        take();
        skip_bws();
        if (at_end()) return Verdict::need_more;
        if (peek() == '"') {
          take();
          for (;;) {
            if (at_end()) return Verdict::need_more;
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
              take();
              break;
            }
            if (c == '\\') {
              take();
              if (at_end()) return Verdict::need_more;
              const auto e = static_cast<unsigned char>(peek());
              if ((e < 0x20 && e != '\t') || e == 0x7f) return fail(d, "bad quoted-pair");
              take();
              continue;
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) return fail(d, "control in quoted-string");
            take();
          }
        } else if (!token()) {
          return at_end() ? Verdict::need_more : fail(d, "no extension value");
        }
      }
      // CRLF
      if (peek() != '\r') return fail(d, "chunk size line does not end in CRLF");
      take();
      if (at_end()) return Verdict::need_more;
      if (peek() != '\n') return fail(d, "CR not followed by LF");
      take();
      if (size == 0) {
        d.end = pos_;
        return Verdict::last_chunk;
      }
      // chunk-data CRLF
      const std::size_t n = std::min<uint64_t>(size, in_.size() - pos_);
      d.data.append(in_.substr(pos_, n));
      pos_ += n;
      if (n < size) return Verdict::need_more;
      framing_ = 0;
      if (at_end()) return Verdict::need_more;
      if (peek() != '\r') return fail(d, "chunk data not followed by CRLF");
      take();
      if (at_end()) return Verdict::need_more;
      if (peek() != '\n') return fail(d, "chunk data not followed by CRLF");
      take();
    }
  }

  Verdict fail(Decoded& d, const char* why) {
    d.why = why;
    return Verdict::error;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  uint32_t framing_ = 0;
  uint32_t max_framing_ = 0;
};

// --- ChunkedDecoder over slices ---

Decoded run_decoder(const std::vector<core::BufferSlice>& slices) {
  http::ChunkedDecoder decoder;
  Decoded d;
  std::size_t offset = 0;
  for (const core::BufferSlice& s : slices) {
    const char* p = s.empty() ? nullptr : s.data();
    const char* end = p + s.size();
    while (p < end) {
      const http::ChunkedDecoder::Result r = decoder.decode(p, end);
      FUZZ_CHECK(r.consumed <= std::size_t(end - p) && r.data <= r.consumed,
                 "decode() consumed more than it was given");
      if (r.status == http::ChunkedDecoder::Status::data) {
        FUZZ_CHECK(r.data > 0, "a data result without data");
        d.data.append(p + r.consumed - r.data, r.data);
      } else {
        FUZZ_CHECK(r.data == 0, "data outside a data result");
      }
      p += r.consumed;
      offset += r.consumed;
      switch (r.status) {
        case http::ChunkedDecoder::Status::need_more:
          FUZZ_CHECK(p == end, "need_more before the end of the input");
          break;
        case http::ChunkedDecoder::Status::data:
          break;
        case http::ChunkedDecoder::Status::last_chunk:
          d.verdict = Verdict::last_chunk;
          d.end = offset;
          return d;
        case http::ChunkedDecoder::Status::error:
          FUZZ_CHECK(decoder.error() && *decoder.error(), "an error without a reason");
          d.verdict = Verdict::error;
          d.why = decoder.error();
          FUZZ_CHECK(decoder.decode(p, end).status == http::ChunkedDecoder::Status::error,
                     "the decoder left its error");
          return d;
      }
    }
  }
  return d;
}

std::string show(const Decoded& d) {
  return std::string(name(d.verdict)) +
         (d.verdict == Verdict::last_chunk ? " at " + std::to_string(d.end) : std::string()) +
         (d.why.empty() ? "" : " (" + d.why + ")") + ", data " + show_bytes(d.data);
}

// --- The parsers over a chunked message ---

constexpr std::string_view kRequestHead =
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
constexpr std::string_view kResponseHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

struct Parsed {
  Message::End end = Message::End::open;
  std::string body;
  Fields trailers;
  std::string why;
  bool operator==(const Parsed&) const = default;
};

template <typename Parser>
Parsed run_parser(std::string_view head, std::string_view body, std::string_view cuts) {
  const std::string stream = std::string(head) + std::string(body);
  const std::vector<core::BufferSlice> slices = make_slices(stream, cuts);
  core::Arena arena;
  Parser parser(http::ParseLimits{}, arena);
  if constexpr (std::is_same_v<Parser, http::ResponseParser>) parser.expect_response_to("GET");
  Parsed out;
  bool head_seen = false;
  for (const core::BufferSlice& in : slices) {
    uint32_t offset = 0;
    for (;;) {
      const http::ParseStatus st = parser.parse(in, offset);
      if (st == http::ParseStatus::need_more) break;
      if (st == http::ParseStatus::head) {
        FUZZ_CHECK(!head_seen && parser.head().chunked, "the chunked head");
        head_seen = true;
      } else if (st == http::ParseStatus::body) {
        out.body.append(parser.body().view());
      } else if (st == http::ParseStatus::message_complete) {
        out.end = Message::End::complete;
        out.trailers = copy_fields(parser.trailers());
        return out;  // what follows would be the next message
      } else {
        FUZZ_CHECK(st == http::ParseStatus::error, "an upgrade in a chunked message");
        FUZZ_CHECK(head_seen, "the head was refused: " + std::string(parser.error_reason()));
        out.end = Message::End::error;
        out.why = parser.error_reason();
        return out;
      }
    }
  }
  return out;
}

std::string show(const Parsed& p) {
  Message m;
  m.body = p.body;
  m.trailers = p.trailers;
  m.end = p.end;
  return describe(m) + (p.why.empty() ? "" : "\n  why " + p.why);
}

}  // namespace

void chunk_framing(const uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  const std::string_view cuts = in.bytes(in.u8() & 15);
  const std::string_view body = in.rest().substr(0, kMaxSlice / 2);

  const Decoded model = Model(body).run();
  Decoded whole;
  {
    const std::vector<core::BufferSlice> slices = make_slices(body, {});
    whole = run_decoder(slices);
  }
  if (!cuts.empty()) {
    const std::vector<core::BufferSlice> slices = make_slices(body, cuts);
    const Decoded cut = run_decoder(slices);
    FUZZ_CHECK(cut.verdict == whole.verdict && cut.end == whole.end && cut.data == whole.data &&
                   cut.why == whole.why,
               "cutting the input changed the decoder's verdict\nwhole: " + show(whole) +
                   "\ncut: " + show(cut) + "\nbody " + show_bytes(body));
  }
  const std::string mismatch =
      "the decoder and the RFC 9112 model disagree\ndecoder: " + show(whole) +
      "\nmodel: " + show(model) + "\nbody " + show_bytes(body);
  if (!model.near_limit) {
    FUZZ_CHECK(whole.verdict == model.verdict, mismatch);
    if (model.verdict == Verdict::error)
      FUZZ_CHECK(std::string_view(model.data).starts_with(whole.data), mismatch);
    else
      FUZZ_CHECK(whole.data == model.data && whole.end == model.end, mismatch);
  }

  const Parsed request = run_parser<http::RequestParser>(kRequestHead, body, cuts);
  const Parsed response = run_parser<http::ResponseParser>(kResponseHead, body, cuts);
  // Both refuse the same bodies, though not always at the same byte or for the same reason:
  // llhttp refuses Transfer-Encoding in a request's trailers at once, in a response's only
  // when the message ends. So one may have failed where the other still waits for bytes.
  const bool one_earlier =
      (request.end == Message::End::error) != (response.end == Message::End::error) &&
      (request.end == Message::End::open || response.end == Message::End::open);
  const bool agree = (request.end == response.end || one_earlier) &&
                     request.body == response.body && request.trailers == response.trailers;
  FUZZ_CHECK(agree, "the request and response parsers disagree on a body\nrequest:\n" +
                        show(request) + "\nresponse:\n" + show(response) + "\nbody " +
                        show_bytes(body));
  if (!cuts.empty()) {
    const Parsed one = run_parser<http::RequestParser>(kRequestHead, body, {});
    FUZZ_CHECK(one == request, "cutting the input changed the request parser's verdict\nwhole:\n" +
                                   show(one) + "\ncut:\n" + show(request) + "\nbody " +
                                   show_bytes(body));
  }
  if (model.near_limit) return;
  const std::string against = "the parser and the RFC 9112 model disagree\nparser:\n" +
                              show(request) + "\nmodel: " + show(model) + "\nbody " +
                              show_bytes(body);
  if (model.verdict == Verdict::error) FUZZ_CHECK(request.end == Message::End::error, against);
  if (model.verdict == Verdict::last_chunk && body.substr(model.end) == "\r\n")
    FUZZ_CHECK(request.end == Message::End::complete && request.body == model.data &&
                   request.trailers.empty(),
               against);
  if (model.verdict == Verdict::need_more)
    FUZZ_CHECK(request.end == Message::End::open && request.body == model.data, against);
}

}  // namespace ringress::fuzz
