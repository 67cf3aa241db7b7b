// response_parser target: upstream bytes, cut into receive buffers where the input says, fed to
// ResponseParser the way the connection relays a response: interim responses, the final one
// (to GET, HEAD, POST or CONNECT, from a request that asked for an upgrade or not), its body by
// Content-Length, chunks or the connection close (finish_on_eof), then the next exchange on the
// same bytes. Checks:
//  - the same bytes in one buffer parse to the same transcript;
//  - the same slices with every head given to llhttp (no simple path) parse to the same transcript;
//  - what the client gets (as http/response_relay.cc writes it: prepare_downstream_response, the
//    framing from the parse, the body re-chunked for HTTP/1.1 clients or delimited by the close
//    for HTTP/1.0 ones, interim responses without hop-by-hop fields to HTTP/1.1 clients only)
//    parses back, as a response to the same request, to the same statuses, fields, framing,
//    body and trailers.
//
// Input: byte 0 holds options (bits 0-1 the method: GET HEAD POST CONNECT, bit 2 an HTTP/1.0
// client, bit 3 the request asked for an upgrade, bit 4 the connection closes after the input,
// bit 5 small limits) and byte 1 the number of cut bytes that follow (low 4 bits); then the
// cut bytes, then the stream.
#include <string>
#include <vector>

#include "core/arena.h"
#include "fuzz/byte_reader.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_slices.h"
#include "fuzz/fuzz_targets.h"
#include "fuzz/http_transcript.h"
#include "http/parser.h"
#include "http/proxy_headers.h"
#include "http/serializer.h"

namespace ringress::fuzz {
namespace {

constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "CONNECT"};

struct Options {
  std::string_view method = "GET";
  bool client_http10 = false;
  bool upgrading = false;  // the request asked for an upgrade (CONNECT always does)
  bool eof = false;
  bool small_limits = false;
};

http::ParseLimits limits(bool small) {
  if (small) return {.max_head_bytes = 256, .max_header_count = 8, .max_uri_length = 64};
  return {};
}

constexpr http::ParseLimits kReparseLimits{
    .max_head_bytes = 256 * 1024, .max_header_count = 256, .max_uri_length = 64 * 1024};

// What a client acts on in a response: the status and how the body is framed.
std::string describe_relayed(const http::ResponseHead& h) {
  return std::to_string(h.status) + " chunked=" + std::to_string(h.chunked) +
         " cl=" + (h.has_content_length ? std::to_string(h.content_length) : std::string("-")) +
         " no_body=" + std::to_string(h.no_body) + " upgrade=" + std::to_string(h.upgrade);
}

// One exchange's responses as the client gets them, and what parsing them must give.
struct Relayed {
  std::string bytes;
  bool chunked = false;     // the final response's body is re-chunked
  bool close_ends = false;  // the final response's body ends at the connection close
  bool final_head = false;  // the final response's head went out
  bool refused = false;     // ringress answers 502 instead
  std::vector<Message> expected;
};

struct Run {
  Transcript transcript;
  std::vector<Relayed> exchanges;
};

// The head of a response as the client gets it (HttpListener::Connection::on_response_head and
// write_response_framing in http/response_relay.cc). False when ringress refuses the response
// instead (an upgrade nobody asked for: 502).
bool relay_head(Relayed& r, http::ResponseHead& h, const Options& o) {
  if (h.upgrade && !o.upgrading) return false;
  Message want;
  if (h.status < 200 && !h.upgrade) {
    // Interim: 100 was answered by ringress itself; others go to HTTP/1.1 clients only.
    if (h.status == 100 || o.client_http10) return true;
    http::remove_hop_by_hop(h.headers, false);
    h.headers.remove("content-length");
    http::write_response_head(r.bytes, h.status, h.reason, h.headers);
    http::ResponseHead sent;
    sent.status = h.status;
    sent.no_body = true;
    want.head = describe_relayed(sent);
    want.headers = copy_fields(h.headers);
    r.expected.push_back(std::move(want));
    return true;
  }
  const bool tunnel = h.upgrade;
  http::prepare_downstream_response(h.headers, http::ProxyHeaderSettings{}, tunnel);
  // The framing comes from the parse, never from the upstream's fields.
  h.headers.remove("content-length");
  h.headers.remove("transfer-encoding");
  bool length = false, close = false;
  if (tunnel) {
  } else if (h.no_body) {
    length = h.has_content_length && h.status != 204;  // HEAD and 304 may announce a length
  } else if (h.has_content_length && !h.chunked) {
    length = true;
  } else if (!o.client_http10) {
    r.chunked = true;
  } else {
    close = true;  // HTTP/1.0 knows no chunked coding (RFC 9112 6.1)
  }
  const std::string content_length = std::to_string(h.content_length);
  if (length) h.headers.add("Content-Length", content_length);
  if (r.chunked) h.headers.add("Transfer-Encoding", "chunked");
  if (!tunnel) {
    if (close)
      h.headers.add("Connection", "close");
    else if (o.client_http10)
      h.headers.add("Connection", "keep-alive");
  }
  r.close_ends = close;
  r.final_head = true;
  http::write_response_head(r.bytes, h.status, h.reason, h.headers);
  http::ResponseHead sent;
  sent.status = h.status;
  sent.chunked = r.chunked;
  sent.has_content_length = length;
  sent.content_length = length ? h.content_length : 0;
  sent.no_body = h.no_body;
  sent.upgrade = h.upgrade;
  want.head = describe_relayed(sent);
  want.headers = copy_fields(h.headers);
  r.expected.push_back(std::move(want));
  return true;
}

// Parses `slices` as upstream responses. With `relay`, also writes what the client gets; else
// (a re-parse of that) heads are described as `relayed_heads` says.
Run parse(const std::vector<core::BufferSlice>& slices, const http::ParseLimits& lim,
          const Options& o, bool relay, bool relayed_heads, bool simple_heads = true) {
  core::Arena arena;
  http::ResponseParser parser(lim, arena);
  if (!simple_heads) parser.llhttp_only();
  parser.expect_response_to(o.method);
  Run run;
  run.exchanges.emplace_back();
  std::vector<Message>& messages = run.transcript.messages;
  bool interim = false;  // the open message is a 1xx
  auto end_message = [&](Message::End end) {
    Message& m = messages.back();
    m.end = end;
    m.trailers = copy_fields(parser.trailers());
    if (!relay || run.exchanges.back().refused) return;
    Relayed& r = run.exchanges.back();
    if (interim) {
      if (!r.expected.empty() && r.expected.back().end == Message::End::open)
        r.expected.back().end = end;
      return;
    }
    if (r.chunked) {
      http::write_last_chunk(r.bytes, parser.trailers());
      r.expected.back().trailers = copy_fields(parser.trailers());
    }
    r.expected.back().end = end;
  };
  for (const core::BufferSlice& in : slices) {
    uint32_t offset = 0;
    for (;;) {
      const uint32_t before = offset;
      const http::ParseStatus st = parser.parse(in, offset);
      FUZZ_CHECK(offset >= before && offset <= in.size(), "offset out of range");
      if (st == http::ParseStatus::need_more) {
        FUZZ_CHECK(offset == in.size(), "need_more before the end of the input");
        break;
      }
      const bool open = !messages.empty() && messages.back().end == Message::End::open;
      switch (st) {
        case http::ParseStatus::head: {
          FUZZ_CHECK(!open, "a head inside a message");
          http::ResponseHead& h = parser.head();
          FUZZ_CHECK(h.status >= 100 && h.status <= 599, "status " + std::to_string(h.status));
          FUZZ_CHECK(!(h.no_body && h.chunked), "a body-less response marked chunked");
          interim = h.status < 200 && h.status != 101;
          Message m;
          m.head = relayed_heads ? describe_relayed(h) : describe(h);
          m.headers = copy_fields(h.headers);
          messages.push_back(std::move(m));
          if (relay && !relay_head(run.exchanges.back(), h, o)) run.exchanges.back().refused = true;
          break;
        }
        case http::ParseStatus::body: {
          FUZZ_CHECK(open && !interim, "body outside a final response");
          FUZZ_CHECK(!parser.head().no_body, "body in a response that has none");
          const core::BufferSlice& b = parser.body();
          FUZZ_CHECK(!b.empty(), "empty body event");
          FUZZ_CHECK(b.data() + b.size() == in.data() + offset, "body is not the bytes consumed");
          messages.back().body.append(b.view());
          if (relay && !run.exchanges.back().refused) {
            Relayed& r = run.exchanges.back();
            if (r.chunked) http::write_chunk_header(r.bytes, b.size());
            r.bytes.append(b.view());
            if (r.chunked) r.bytes.append("\r\n");
            r.expected.back().body.append(b.view());
          }
          break;
        }
        case http::ParseStatus::message_complete:
        case http::ParseStatus::upgrade: {
          FUZZ_CHECK(open, "end of a message outside one");
          const bool upgrade = st == http::ParseStatus::upgrade;
          FUZZ_CHECK(upgrade == parser.head().upgrade, "upgrade event and head disagree");
          end_message(upgrade ? Message::End::upgrade : Message::End::complete);
          if (interim) break;
          if (upgrade) return run;  // a tunnel follows
          // The exchange is over; the next one starts on the bytes that follow.
          arena.reset();
          parser.reset();
          parser.expect_response_to(o.method);
          run.exchanges.emplace_back();
          break;
        }
        case http::ParseStatus::error:
          FUZZ_CHECK(parser.error_status() == 502,
                     "response error status " + std::to_string(parser.error_status()));
          FUZZ_CHECK(!parser.error_reason().empty(), "error without a reason");
          if (open) messages.back().end = Message::End::error;
          run.transcript.error_status = parser.error_status();
          run.transcript.error_reason = std::string(parser.error_reason());
          return run;
        case http::ParseStatus::need_more:
          break;
      }
    }
  }
  const bool open = !messages.empty() && messages.back().end == Message::End::open;
  if (o.eof && open && !interim) {
    const http::ParseStatus st = parser.finish_on_eof();
    if (st == http::ParseStatus::message_complete) {
      end_message(Message::End::complete);
    } else {
      FUZZ_CHECK(st == http::ParseStatus::error, "finish_on_eof gave neither end nor error");
      messages.back().end = Message::End::error;
      run.transcript.error_status = parser.error_status();
      run.transcript.error_reason = std::string(parser.error_reason());
    }
  }
  return run;
}

void check_reparse(const Relayed& r, const Options& o, std::string_view input) {
  const std::vector<core::BufferSlice> slices = make_slices(r.bytes, {});
  Options client = o;
  client.eof = r.close_ends;
  Run back = parse(slices, kReparseLimits, client, false, true);
  // The client's parser goes on after the final response; nothing may follow it.
  const bool same = back.transcript.error_status == 0 && back.transcript.messages == r.expected;
  FUZZ_CHECK(same, "the relayed response does not parse back to the same response\nexpected:\n" +
                       describe(r.expected) + "got:\n" + describe(back.transcript) + "written " +
                       show_bytes(r.bytes) + "\ninput " + show_bytes(input));
}

}  // namespace

void response_parser(const uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  const uint8_t bits = in.u8();
  Options o{.method = kMethods[bits & 3],
            .client_http10 = (bits & 4) != 0,
            .upgrading = (bits & 8) != 0 || (bits & 3) == 3,
            .eof = (bits & 16) != 0,
            .small_limits = (bits & 32) != 0};
  const std::string_view cuts = in.bytes(in.u8() & 15);
  const std::string_view stream = in.rest();

  Run run;
  {
    const std::vector<core::BufferSlice> slices = make_slices(stream, cuts);
    run = parse(slices, limits(o.small_limits), o, true, false);
  }
  {
    // The same slices with every head through llhttp: the simple path changes nothing.
    const std::vector<core::BufferSlice> slices = make_slices(stream, cuts);
    Run slow = parse(slices, limits(o.small_limits), o, false, false, false);
    FUZZ_CHECK(slow.transcript == run.transcript,
               "the simple head path and llhttp disagree\nllhttp:\n" + describe(slow.transcript) +
                   "simple:\n" + describe(run.transcript) + "input " + show_bytes(stream));
  }
  if (!cuts.empty()) {
    const std::vector<core::BufferSlice> whole = make_slices(stream, {});
    Run one = parse(whole, limits(o.small_limits), o, false, false);
    FUZZ_CHECK(one.transcript == run.transcript,
               "cutting the input changed the transcript\nin one buffer:\n" +
                   describe(one.transcript) + "cut:\n" + describe(run.transcript) + "input " +
                   show_bytes(stream));
  }
  // Every exchange whose final response ended is relayed in full.
  for (const Relayed& r : run.exchanges) {
    if (!r.final_head || r.refused) continue;
    const Message::End end = r.expected.back().end;
    if (end != Message::End::complete && end != Message::End::upgrade) continue;
    check_reparse(r, o, stream);
  }
}

}  // namespace ringress::fuzz
