// HTTP/1.1 codec: parse a typical browser request and a typical API response (whole message,
// head + body, as one received buffer), and serialize a request head. One iteration is one
// message; bytes/s counts the message's bytes. The parser, its Arena and the output string are
// reused across iterations as on a kept-alive connection, so heap_alloc/iter should be 0.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <string_view>

#include "benchmarks/micro/bench_counters.h"
#include "core/arena.h"
#include "core/buffer_pool.h"
#include "core/reactor.h"
#include "http/parser.h"
#include "http/serializer.h"

namespace ringress::bench {
namespace {

using namespace ringress::http;

// What Chrome sends for a page load (16 header fields, 860 bytes).
constexpr std::string_view kBrowserRequest =
    "GET /products/shoes/running?color=blue&size=42&sort=price_asc HTTP/1.1\r\n"
    "Host: shop.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Referer: https://shop.example.com/products/shoes\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
    "Cookie: session=3f9a1c2e7b4d4e0a9c1f; theme=dark; _ga=GA1.2.1234567890.1700000000\r\n"
    "\r\n";

// A JSON API answer: 10 header fields and a 256-byte body with Content-Length.
std::string api_response() {
  std::string body = "{\"id\":4711,\"name\":\"Running shoe\",\"price\":{\"amount\":8999,";
  body += "\"currency\":\"EUR\"},\"sizes\":[40,41,42,43,44],\"stock\":17,\"tags\":[\"running\",";
  body += "\"outdoor\"],\"updated\":\"2026-11-26T16:00:00Z\"}";
  body.resize(256, ' ');
  return "HTTP/1.1 200 OK\r\n"
         "Date: Thu, 26 Nov 2026 16:00:00 GMT\r\n"
         "Content-Type: application/json; charset=utf-8\r\n"
         "Content-Length: " +
         std::to_string(body.size()) +
         "\r\n"
         "Connection: keep-alive\r\n"
         "Cache-Control: private, max-age=0, no-cache\r\n"
         "ETag: \"5d8c72a5edda8d6a\"\r\n"
         "Vary: Accept-Encoding, Origin\r\n"
         "X-Request-Id: 0f8fad5b-d9cb-469f-a165-70867728950e\r\n"
         "Strict-Transport-Security: max-age=63072000\r\n"
         "Server: api-gateway\r\n"
         "\r\n" +
         body;
}

// A receive buffer filled by the benchmark instead of the kernel (the pool needs a reactor on
// this thread to register its ring; nothing is ever received).
class OneSlice {
 public:
  explicit OneSlice(std::string_view bytes) : pool_(reactor_, 64 * 1024, 64) {
    std::memcpy(const_cast<char*>(pool_.buffer(0)), bytes.data(), bytes.size());
    slice_ = pool_.take(0, static_cast<uint32_t>(bytes.size()));
  }
  const core::BufferSlice& slice() const { return slice_; }

 private:
  core::Reactor reactor_;
  core::BufferPool pool_;
  core::BufferSlice slice_;  // dies before the pool
};

// Parses one whole message from `in`; false when it did not end in message_complete.
template <typename Parser>
bool parse_message(Parser& parser, const core::BufferSlice& in) {
  uint32_t offset = 0;
  for (;;) {
    ParseStatus st = parser.parse(in, offset);
    if (st == ParseStatus::message_complete) return true;
    if (st == ParseStatus::need_more || st == ParseStatus::error) return false;
    benchmark::DoNotOptimize(parser.head());
  }
}

void BM_ParseBrowserRequest(benchmark::State& state) {
  OneSlice in(kBrowserRequest);
  core::Arena arena;
  RequestParser parser(ParseLimits{}, arena);
  AllocProbe probe;
  for (auto _ : state) {
    arena.reset();
    if (!parse_message(parser, in.slice())) {
      state.SkipWithError("parse failed");
      break;
    }
  }
  probe.report(state);
  state.SetBytesProcessed(state.iterations() * int64_t(kBrowserRequest.size()));
  state.counters["msg/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseBrowserRequest);

void BM_ParseApiResponse(benchmark::State& state) {
  const std::string message = api_response();
  OneSlice in(message);
  core::Arena arena;
  ResponseParser parser(ParseLimits{}, arena);
  AllocProbe probe;
  for (auto _ : state) {
    arena.reset();
    parser.expect_response_to("GET");
    if (!parse_message(parser, in.slice())) {
      state.SkipWithError("parse failed");
      break;
    }
  }
  probe.report(state);
  state.SetBytesProcessed(state.iterations() * int64_t(message.size()));
  state.counters["msg/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseApiResponse);

// The head ringress sends upstream for the browser request (its parsed fields, reused string).
void BM_SerializeRequestHead(benchmark::State& state) {
  OneSlice in(kBrowserRequest);
  core::Arena arena;
  RequestParser parser(ParseLimits{}, arena);
  if (!parse_message(parser, in.slice())) {
    state.SkipWithError("parse failed");
    return;
  }
  const RequestHead& head = parser.head();
  std::string out;
  out.reserve(4096);
  AllocProbe probe;
  for (auto _ : state) {
    out.clear();
    write_request_head(out, head.method, head.origin_target, head.version_minor, head.headers);
    benchmark::DoNotOptimize(out.data());
  }
  probe.report(state);
  state.SetBytesProcessed(state.iterations() * int64_t(out.size()));
}
BENCHMARK(BM_SerializeRequestHead);

}  // namespace
}  // namespace ringress::bench
