// request_parser target: a downstream byte stream, cut into receive buffers where the input says,
// fed to RequestParser the way the connection does (pipelined requests, bodies, upgrades taken or
// declined, the arena reset between requests). Checks:
//  - the same bytes in one buffer parse to the same transcript (cuts never change a verdict);
//  - the same slices with every head given to llhttp (no simple path) parse to the same transcript;
//  - every complete request, written back as parsed (head as received, body framed as it came),
//    parses to the same verdict: the parser and serializer agree;
//  - every complete request, forwarded as the proxy forwards it (prepare_upstream_request, target
//    in origin-form, body re-chunked or with its length), parses back to one request with the
//    same method, target, authority, framing, fields, body and trailers: what ringress forwards
//    is what it understood (no desync between ringress and an upstream that parses the same way).
//
// Input: byte 0 holds options (bit 0 trusted client, 1 take upgrades, 2 rewrite Host, 3 small
// limits, 4 Via) and, in bits 5-7, how many cut bytes follow; then the cut bytes (fuzz_slices.h),
// then the stream.
#include <string>
#include <vector>

#include "core/arena.h"
#include "fuzz/byte_reader.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_slices.h"
#include "fuzz/fuzz_targets.h"
#include "fuzz/http_transcript.h"
#include "http/exchange.h"
#include "http/parser.h"
#include "http/proxy_headers.h"
#include "http/serializer.h"

namespace ringress::fuzz {
namespace {

constexpr std::string_view kClientIp = "192.0.2.7";
constexpr std::string_view kUpstreamHost = "backend.internal:8080";
constexpr std::string_view kEndpointHost = "10.0.0.1:8080";

struct Options {
  bool client_trusted = false;
  bool take_upgrades = false;
  bool rewrite_host = false;
  bool small_limits = false;
  bool via = false;
};

http::ParseLimits limits(bool small) {
  if (small) return {.max_head_bytes = 256, .max_header_count = 8, .max_uri_length = 64};
  return {};
}

// Room for what forwarding adds (X-Forwarded-*, X-Request-Id, Via, Host) to any head.
constexpr http::ParseLimits kReparseLimits{
    .max_head_bytes = 256 * 1024, .max_header_count = 256, .max_uri_length = 64 * 1024};

// The parts of a request an upstream acts on: what ringress must forward unchanged (the
// authority in any case: host names are case-insensitive).
std::string describe_forwarded(const http::RequestHead& h) {
  std::string s(h.method);
  s += " ";
  s += h.origin_target;
  s += " host=";
  for (char c : h.host) s.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
  s += " chunked=" + std::to_string(h.chunked);
  s += " cl=" + (h.has_content_length ? std::to_string(h.content_length) : std::string("-"));
  s += " upgrade=" + std::to_string(h.upgrade);
  return s;
}

// One request written out again, and what parsing it must give.
struct Rewritten {
  std::string bytes;
  bool chunked = false;
  Message expected;
};

struct Run {
  Transcript transcript;
  std::vector<Rewritten> as_parsed;  // per message of the transcript
  std::vector<Rewritten> forwarded;  // per message of the transcript
};

void append_body(Rewritten& r, std::string_view bytes) {
  if (r.chunked) http::write_chunk_header(r.bytes, bytes.size());
  r.bytes.append(bytes);
  if (r.chunked) r.bytes.append("\r\n");
  r.expected.body.append(bytes);
}

void finish(Rewritten& r, const http::HeaderMap& trailers, Message::End end) {
  if (r.chunked) {
    http::write_last_chunk(r.bytes, trailers);
    r.expected.trailers = copy_fields(trailers);
  }
  r.expected.end = end;
}

// The request as parsed: the same head (written by the serializer), the body framed as it came.
Rewritten as_parsed(const http::RequestHead& h) {
  Rewritten r;
  http::write_request_head(r.bytes, h.method, h.target, h.version_minor, h.headers);
  r.chunked = h.chunked;
  r.expected.head = describe(h);
  r.expected.headers = copy_fields(h.headers);
  return r;
}

// The request as HttpListener::Connection::proxy sends it (a route without header mutations or
// rewrites). Changes `h` as the proxy does.
Rewritten forwarded(http::RequestHead& h, core::Arena& arena, const Options& o, bool upgrading) {
  http::ProxyHeaderSettings settings;
  if (o.via) settings.via = "1.1 ringress";
  http::Exchange exchange(arena);
  exchange.request = &h;
  exchange.client_ip = kClientIp;
  const std::string_view original_host = h.host;
  const bool had_host = h.headers.get("host") != nullptr;  // an empty Host is kept as it came
  http::prepare_upstream_request(h.headers, exchange, settings, o.client_trusted,
                                 o.rewrite_host ? kUpstreamHost : std::string_view(), upgrading,
                                 kEndpointHost);
  if (!o.client_trusted) h.headers.remove("X-Forwarded-Client-Cert");
  Rewritten r;
  http::write_request_head(r.bytes, h.method, h.origin_target, 1, h.headers);
  r.chunked = h.chunked;
  // What the upstream must see: the same method, target, authority and framing.
  http::RequestHead want;
  want.method = h.method;
  want.origin_target = h.origin_target;
  const bool rewritten = o.rewrite_host && h.method != "CONNECT";
  want.host = rewritten                            ? kUpstreamHost
              : original_host.empty() && !had_host ? kEndpointHost
                                                   : original_host;
  want.chunked = h.chunked;
  want.has_content_length = h.has_content_length;
  want.content_length = h.content_length;
  want.upgrade = upgrading;
  r.expected.head = describe_forwarded(want);
  r.expected.headers = copy_fields(h.headers);
  return r;
}

// Parses `slices` as one connection does. With `rewrite`, also writes every request out as parsed
// and as forwarded; else (a re-parse) heads are described the way `forwarded_heads` says.
Run parse(const std::vector<core::BufferSlice>& slices, const http::ParseLimits& lim,
          const Options& o, bool rewrite, bool forwarded_heads, bool simple_heads = true) {
  core::Arena arena;
  http::RequestParser parser(lim, arena);
  if (!simple_heads) parser.llhttp_only();
  Run run;
  std::vector<Message>& messages = run.transcript.messages;
  auto end_message = [&](Message::End end) {
    messages.back().end = end;
    if (rewrite) {
      finish(run.as_parsed.back(), parser.trailers(), run.as_parsed.back().expected.end);
      finish(run.forwarded.back(), parser.trailers(), end);
    }
    if (end == Message::End::complete) messages.back().trailers = copy_fields(parser.trailers());
    arena.reset();  // as serve_one does before the next request
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
          http::RequestHead& h = parser.head();
          Message m;
          m.head = forwarded_heads ? describe_forwarded(h) : describe(h);
          m.headers = copy_fields(h.headers);
          messages.push_back(std::move(m));
          if (rewrite) {
            run.as_parsed.push_back(as_parsed(h));
            run.as_parsed.back().expected.end =
                h.upgrade ? Message::End::upgrade : Message::End::complete;
            // An upgrade is forwarded once taken or declined (at the upgrade event).
            run.forwarded.push_back(h.upgrade ? Rewritten{} : forwarded(h, arena, o, false));
          }
          break;
        }
        case http::ParseStatus::body: {
          FUZZ_CHECK(open, "body outside a message");
          const core::BufferSlice& b = parser.body();
          FUZZ_CHECK(!b.empty(), "empty body event");
          FUZZ_CHECK(b.data() + b.size() == in.data() + offset, "body is not the bytes consumed");
          messages.back().body.append(b.view());
          if (rewrite) {
            append_body(run.as_parsed.back(), b.view());
            append_body(run.forwarded.back(), b.view());
          }
          break;
        }
        case http::ParseStatus::message_complete:
          FUZZ_CHECK(open, "message_complete outside a message");
          FUZZ_CHECK(!parser.head().upgrade, "message_complete for an upgrade");
          end_message(Message::End::complete);
          break;
        case http::ParseStatus::upgrade: {
          FUZZ_CHECK(open && parser.head().upgrade, "upgrade event without an upgrade head");
          http::RequestHead& h = parser.head();
          if (o.take_upgrades) {
            if (rewrite) run.forwarded.back() = forwarded(h, arena, o, true);
            end_message(Message::End::upgrade);
            return run;  // the rest is tunnel data
          }
          // Declined (no route takes it): a CONNECT gets a 404 and the connection closes; any
          // other upgrade goes on as HTTP.
          if (h.method == "CONNECT") {
            messages.back().end = Message::End::error;
            return run;
          }
          parser.resume_after_upgrade();
          h.upgrade = false;
          h.headers.remove("upgrade");
          if (rewrite) run.forwarded.back() = forwarded(h, arena, o, false);
          end_message(Message::End::complete);
          break;
        }
        case http::ParseStatus::error:
          FUZZ_CHECK(parser.error_status() >= 400 && parser.error_status() <= 505,
                     "error status " + std::to_string(parser.error_status()));
          FUZZ_CHECK(!parser.error_reason().empty(), "error without a reason");
          if (open) messages.back().end = Message::End::error;
          run.transcript.error_status = parser.error_status();
          run.transcript.error_reason = std::string(parser.error_reason());
          FUZZ_CHECK(parser.parse(in, offset) == http::ParseStatus::error, "error is not final");
          return run;
        case http::ParseStatus::need_more:
          break;
      }
    }
  }
  return run;
}

// `r` parses back to exactly its expected message.
void check_reparse(const Rewritten& r, bool forwarded_heads, std::string_view what,
                   std::string_view input) {
  const std::vector<core::BufferSlice> slices = make_slices(r.bytes, {});
  Run back = parse(slices, kReparseLimits, Options{.take_upgrades = true}, false, forwarded_heads);
  const bool same = back.transcript.error_status == 0 && back.transcript.messages.size() == 1 &&
                    back.transcript.messages[0] == r.expected;
  FUZZ_CHECK(same, std::string(what) + " does not parse back to the same request\nexpected:\n" +
                       describe(std::vector<Message>{r.expected}) + "got:\n" +
                       describe(back.transcript) + "written " + show_bytes(r.bytes) + "\ninput " +
                       show_bytes(input));
}

}  // namespace

void request_parser(const uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  const uint8_t bits = in.u8();
  Options o{.client_trusted = (bits & 1) != 0,
            .take_upgrades = (bits & 2) != 0,
            .rewrite_host = (bits & 4) != 0,
            .small_limits = (bits & 8) != 0,
            .via = (bits & 16) != 0};
  const std::string_view cuts = in.bytes(bits >> 5);
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
  for (std::size_t i = 0; i < run.transcript.messages.size(); ++i) {
    const Message::End end = run.transcript.messages[i].end;
    if (end != Message::End::complete && end != Message::End::upgrade) continue;
    check_reparse(run.as_parsed[i], false, "the request written as parsed", stream);
    check_reparse(run.forwarded[i], true, "the forwarded request", stream);
  }
}

}  // namespace ringress::fuzz
