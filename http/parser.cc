#include "http/parser.h"

#include <llhttp.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <new>

#include "http/field_names.h"
#include "http/simple_head.h"

namespace ringress::http::detail {

static_assert(sizeof(llhttp_t) <= 128 && alignof(llhttp_t) <= 8, "grow llhttp_storage_");

namespace {

constexpr char kNoBytes[1] = {0};
constexpr uint16_t kConnectionFlags = F_CONNECTION_CLOSE | F_CONNECTION_KEEP_ALIVE;

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ows(char c) { return c == ' ' || c == '\t'; }
constexpr bool is_ctl(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

// Bytes that need a look inside a header line: CR, LF and the other controls. The rest of a
// field line is skipped in a tight loop (most of a head's bytes).
constexpr auto kLineSpecial = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = is_ctl(static_cast<unsigned char>(c)) || c == '\r';
  return t;
}();

// The first byte at or after p that kLineSpecial marks (or end). Sixteen (SSE2) or eight bytes at
// a time while none of them is below 0x20 or 0x7f (a tab stops the fast loops; the byte loop
// takes it).
const unsigned char* skip_plain(const unsigned char* p, const unsigned char* end) {
#if defined(__SSE2__)
  // Sixteen at a time: a byte is below 0x20 when min(byte, 0x1f) is the byte (unsigned).
  const __m128i ctl_max = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
  while (end - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit =
        _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, ctl_max), x), _mm_cmpeq_epi8(x, del));
    if (const int mask = _mm_movemask_epi8(hit)) {
      p += __builtin_ctz(static_cast<unsigned>(mask));
      break;
    }
    p += 16;
  }
#endif
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  while (end - p >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    uint64_t below_space = (x - kOnes * 0x20) & ~x & kHighs;
    uint64_t y = x ^ (kOnes * 0x7f);
    uint64_t del = (y - kOnes) & ~y & kHighs;
    if (below_space | del) break;
    p += 8;
  }
  while (p < end && !kLineSpecial[*p]) ++p;
  return p;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// RFC 3986 unreserved / sub-delims: what a reg-name may hold besides pct-encoding.
bool is_host_char(char c) {
  if (is_alnum(c)) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
}

bool valid_reg_name(std::string_view h) {
  if (h.empty()) return false;
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (h[i] == '%') {
      if (i + 2 >= h.size() || !is_hex(h[i + 1]) || !is_hex(h[i + 2])) return false;
      i += 2;
    } else if (!is_host_char(h[i])) {
      return false;
    }
  }
  return true;
}

bool valid_ip_literal(std::string_view h) {
  if (h.size() < 3 || h.front() != '[' || h.back() != ']') return false;
  for (char c : h.substr(1, h.size() - 2))
    if (!is_host_char(c) && c != ':') return false;
  return true;
}

bool valid_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  uint32_t v = 0;
  for (char c : p) {
    if (!is_digit(c)) return false;
    v = v * 10 + uint32_t(c - '0');
  }
  return v <= 65535;
}

// host [":" port] (RFC 9110 Host / RFC 3986 authority without userinfo).
bool valid_authority(std::string_view a, bool port_required) {
  std::string_view host = a;
  std::string_view port;
  bool has_port = false;
  if (!a.empty() && a.front() == '[') {
    std::size_t close = a.find(']');
    if (close == std::string_view::npos) return false;
    host = a.substr(0, close + 1);
    std::string_view rest = a.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      has_port = true;
    }
    if (!valid_ip_literal(host)) return false;
  } else {
    std::size_t colon = a.find(':');
    if (colon != std::string_view::npos) {
      host = a.substr(0, colon);
      port = a.substr(colon + 1);
      has_port = true;
    }
    if (!valid_reg_name(host)) return false;
  }
  return has_port ? valid_port(port) : !port_required;
}

// The transfer codings of a message, over all its Transfer-Encoding lines in order.
enum class Coding { none, chunked, unsupported, invalid };

Coding transfer_coding(const HeaderMap& headers) {
  bool any = false, chunked_seen = false, chunked_last = false, bad = false;
  std::size_t codings = 0;
  for (const auto& f : headers) {
    if (!iequals(f.name, "transfer-encoding")) continue;
    any = true;
    std::string_view list = f.value;
    while (true) {
      std::size_t comma = list.find(',');
      std::string_view coding = trim_ows(list.substr(0, comma));
      ++codings;
      if (iequals(coding, "chunked")) {
        bad |= chunked_seen;
        chunked_seen = chunked_last = true;
      } else {
        bad |= coding.empty();
        chunked_last = false;
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  if (!any) return Coding::none;
  if (bad || !chunked_last) return Coding::invalid;
  return codings == 1 ? Coding::chunked : Coding::unsupported;
}

// llhttp stops at the first byte that no method it knows has there. If that byte can still be
// part of a method token (e.g. "FOO", "GETX", "get"), the method is unknown (501); otherwise it
// is malformed (400). Only that byte decides, so the verdict does not depend on how the bytes
// were cut.
bool unknown_method(const char* pos, const char* end) { return pos < end && is_tchar(*pos); }

// The Connection options of a head as RFC 9110 7.6.1 reads them: tokens of every Connection
// line, OWS (SP or HTAB) around them. llhttp's own scanner misses a token followed by HTAB
// ("Upgrade<HTAB>"), so ringress decides upgrades and keep-alive from these and tells llhttp.
struct ConnectionOptions {
  bool upgrade = false;  // an `upgrade` option and an Upgrade field
  bool close = false;
  bool keep_alive_option = false;
};

// Makes llhttp's keep-alive verdict (it refuses bytes after a message it thinks closes the
// connection) the same as ours.
void set_keep_alive_flags(llhttp_t* p, const ConnectionOptions& o) {
  p->flags &= ~uint16_t(F_CONNECTION_CLOSE | F_CONNECTION_KEEP_ALIVE);
  if (o.close)
    p->flags |= F_CONNECTION_CLOSE;
  else if (o.keep_alive_option)
    p->flags |= F_CONNECTION_KEEP_ALIVE;
}

ConnectionOptions connection_options(const HeaderMap& headers) {
  ConnectionOptions o;
  bool upgrade_option = false, upgrade_field = false;
  for (const auto& f : headers) {
    if (iequals(f.name, "connection")) {
      upgrade_option |= has_token(f.value, "upgrade");
      o.close |= has_token(f.value, "close");
      o.keep_alive_option |= has_token(f.value, "keep-alive");
    } else if (iequals(f.name, "upgrade")) {
      upgrade_field = true;
    }
  }
  o.upgrade = upgrade_option && upgrade_field;
  return o;
}

FieldSurvey survey_fields(const HeaderMap& headers) {
  FieldSurvey s;
  uint32_t i = 0;
  for (const auto& f : headers) s.count(known_field(f.name), i++);
  return s;
}

const std::string_view* field_value(const HeaderMap& headers, uint32_t index) {
  return index == FieldSurvey::kNone ? nullptr : &(headers.begin() + index)->value;
}

// Splits the request-target into path/query/origin_target; `authority` gets the authority of an
// absolute-form or CONNECT target. Returns nullptr, or why the target is refused.
const char* split_target(RequestHead& h, bool connect, bool options, core::Arena& arena,
                         std::string_view& authority) {
  std::string_view t = h.target;
  if (t.find('#') != std::string_view::npos) return "fragment in request-target";
  if (connect) {
    if (!valid_authority(t, true)) return "CONNECT target is not host:port";
    authority = t;
    h.origin_target = t;
    return nullptr;
  }
  if (t == "*") {
    if (!options) return "asterisk-form target on a method other than OPTIONS";
    h.path = h.origin_target = t;
    return nullptr;
  }
  std::string_view origin = t;
  if (t.empty() || t.front() != '/') {
    std::size_t scheme = starts_with_nocase(t, "http://")    ? 7
                         : starts_with_nocase(t, "https://") ? 8
                                                             : 0;
    if (scheme == 0) return "request-target is neither origin-form nor absolute-form";
    std::string_view rest = t.substr(scheme);
    std::size_t end = rest.find_first_of("/?");
    authority = rest.substr(0, end);
    if (!valid_authority(authority, false)) return "invalid authority in request-target";
    origin = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (origin.empty() || origin.front() == '?') {
      char* p = arena.allocate(origin.size() + 1);
      p[0] = '/';
      if (!origin.empty()) std::memcpy(p + 1, origin.data(), origin.size());
      origin = {p, origin.size() + 1};
    }
    h.absolute_form = true;
  }
  std::size_t q = origin.find('?');
  h.path = origin.substr(0, q);
  h.query = q == std::string_view::npos ? std::string_view() : origin.substr(q + 1);
  h.origin_target = origin;
  return nullptr;
}

// Appends a span of a field to its copy in the arena (contiguous when the field was the last
// allocation, as it is while llhttp reports one field at a time).
std::string_view append(core::Arena& arena, std::string_view to, const char* at, std::size_t n) {
  if (n == 0) return to;
  return to.empty() ? arena.copy({at, n}) : arena.extend(to, {at, n});
}

bool is_framing_or_routing_field(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "host");
}

// What a head's start line and framing say, from llhttp or from the simple path.
struct RequestFacts {
  std::string_view method;  // static
  std::string_view target;
  bool connect = false;
  bool options = false;
  uint8_t major = 1;
  uint8_t minor = 1;
  bool has_content_length = false;
  uint64_t content_length = 0;
};

struct ResponseFacts {
  uint16_t status = 0;
  std::string_view reason;
  uint8_t major = 1;
  uint8_t minor = 1;
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool head_request = false;     // answering HEAD
  bool connect_request = false;  // answering CONNECT
};

// A head's verdict: accepted (status 0), or the status a request gets and why.
struct Verdict {
  uint16_t status = 0;
  const char* reason = nullptr;
};

// Fills `h` from the facts and its fields and judges it; `options` gets its Connection options.
// Keep-alive is left to the caller (llhttp's flags, or the simple path's rule).
Verdict finish_request(RequestHead& h, const RequestFacts& f, const FieldSurvey& fields,
                       core::Arena& arena, ConnectionOptions& options) {
  if (f.major != 1 || f.minor > 1) return {505, "HTTP version not supported"};
  h.method = f.method;
  h.version_minor = f.minor;
  h.target = f.target;
  const bool connect = f.connect;

  const std::string_view* host = field_value(h.headers, fields.host);
  if (fields.hosts > 1) return {400, "multiple Host headers"};
  if (!host && h.version_minor == 1) return {400, "missing Host header"};
  if (host && !host->empty() && !valid_authority(*host, false)) return {400, "invalid Host header"};
  std::string_view authority;
  if (const char* bad = split_target(h, connect, f.options, arena, authority)) return {400, bad};
  if (!authority.empty()) {
    if (host && !iequals(*host, authority))
      return {400, "Host header does not match the request-target"};
    h.host = authority;
  } else if (host) {
    h.host = *host;
  }

  h.has_content_length = f.has_content_length;
  if (fields.content_lengths > 1) return {400, "multiple Content-Length headers"};
  const Coding coding = fields.transfer_encoding ? transfer_coding(h.headers) : Coding::none;
  if (coding != Coding::none) {
    if (h.has_content_length) return {400, "both Content-Length and Transfer-Encoding"};
    if (h.version_minor == 0) return {400, "Transfer-Encoding in an HTTP/1.0 request"};
    if (coding == Coding::invalid) return {400, "chunked is not the final transfer coding"};
    if (coding == Coding::unsupported) return {501, "transfer coding other than chunked"};
  }
  h.chunked = coding == Coding::chunked;
  h.content_length = h.has_content_length ? f.content_length : 0;
  if (connect && (h.chunked || h.content_length > 0)) return {400, "CONNECT with a body"};

  options = fields.connection ? connection_options(h.headers) : ConnectionOptions{};
  // An upgrade is honoured only before the first body byte: a request with a body, or an
  // HTTP/1.0 one, is handled as plain HTTP (the caller drops its Upgrade/Connection fields).
  h.upgrade = connect || options.upgrade;
  if (h.upgrade && !connect && (h.chunked || h.content_length > 0 || h.version_minor == 0))
    h.upgrade = false;
  if (h.version_minor == 1 && fields.expect != FieldSurvey::kNone)
    h.expect_continue = iequals(*field_value(h.headers, fields.expect), "100-continue");
  return {};
}

Verdict finish_response(ResponseHead& h, const ResponseFacts& f, const FieldSurvey& fields,
                        ConnectionOptions& options) {
  if (f.major != 1 || f.minor > 1) return {502, "unsupported HTTP version"};
  h.status = f.status;
  h.reason = f.reason;
  h.version_minor = f.minor;
  if (h.status < 100 || h.status > 599) return {502, "invalid status code"};
  h.no_body = f.head_request || h.status < 200 || h.status == 204 || h.status == 304;
  options = fields.connection ? connection_options(h.headers) : ConnectionOptions{};
  if (h.status == 101) {
    if (!options.upgrade) return {502, "101 without Connection: upgrade and Upgrade"};
    h.upgrade = true;
  } else if (f.connect_request && h.status / 100 == 2) {
    h.upgrade = true;
    h.no_body = true;
  }  // else no upgrade: only a 101, or a 2xx to CONNECT, switches protocols

  h.has_content_length = f.has_content_length;
  h.content_length = h.has_content_length ? f.content_length : 0;
  if (fields.content_lengths > 1) return {502, "multiple Content-Length headers"};
  const Coding coding = fields.transfer_encoding ? transfer_coding(h.headers) : Coding::none;
  if (!h.no_body && coding != Coding::none) {
    if (h.has_content_length) return {502, "both Content-Length and Transfer-Encoding"};
    if (h.version_minor == 0) return {502, "Transfer-Encoding in an HTTP/1.0 response"};
    if (coding != Coding::chunked) return {502, "Transfer-Encoding other than chunked"};
  }
  h.chunked = !h.no_body && coding == Coding::chunked;
  return {};
}

}  // namespace

// C trampolines from llhttp into the parser (llhttp_t::data is the MessageParser).
struct Callbacks {
  static MessageParser& self(llhttp_t* p) { return *static_cast<MessageParser*>(p->data); }
  static int message_begin(llhttp_t* p) { return self(p).on_message_begin(); }
  static int url(llhttp_t* p, const char* at, size_t n) { return self(p).on_url(at, n); }
  static int status(llhttp_t* p, const char* at, size_t n) { return self(p).on_status(at, n); }
  static int version(llhttp_t* p, const char* at, size_t n) { return self(p).on_version(at, n); }
  static int field(llhttp_t* p, const char* at, size_t n) { return self(p).on_header_field(at, n); }
  static int field_complete(llhttp_t* p) { return self(p).on_header_field_complete(); }
  static int value(llhttp_t* p, const char* at, size_t n) { return self(p).on_header_value(at, n); }
  static int value_complete(llhttp_t* p) { return self(p).on_header_value_complete(); }
  static int headers_complete(llhttp_t* p) { return self(p).on_headers_complete(); }
  static int body(llhttp_t* p, const char* at, size_t n) { return self(p).on_body(at, n); }
  static int chunk_header(llhttp_t* p) { return self(p).on_chunk_header(); }
  static int message_complete(llhttp_t* p) { return self(p).on_message_complete(); }

  static llhttp_settings_t make() {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = message_begin;
    s.on_url = url;
    s.on_status = status;
    s.on_version = version;
    s.on_header_field = field;
    s.on_header_field_complete = field_complete;
    s.on_header_value = value;
    s.on_header_value_complete = value_complete;
    s.on_headers_complete = headers_complete;
    s.on_body = body;
    s.on_chunk_header = chunk_header;
    s.on_message_complete = message_complete;
    return s;
  }
};

namespace {
const llhttp_settings_t kSettings = Callbacks::make();
}  // namespace

MessageParser::MessageParser(Kind kind, const ParseLimits& limits, core::Arena& arena,
                             RequestHead* request, ResponseHead* response)
    : ll_(new (llhttp_storage_) llhttp_t),
      kind_(kind),
      limits_(limits),
      arena_(arena),
      request_(request),
      response_(response),
      fields_(request ? &request->headers : &response->headers),
      budget_(limits.max_head_bytes) {
  llhttp_init(ll_, kind == Kind::request ? HTTP_REQUEST : HTTP_RESPONSE, &kSettings);
  ll_->data = this;
}

ParseStatus MessageParser::parse(const core::BufferSlice& input, uint32_t& offset) {
  if (failed_) return ParseStatus::error;
  if (upgraded_) return ParseStatus::upgrade;
  body_.reset();
  const uint32_t size = input.size();
  if (simple_body_) return parse_simple_body(input, offset);
  if (simple_heads_ && !closing_ && phase_ == Phase::head && !in_message_ && offset < size &&
      check_.line == Line::idle && !check_.prev_cr && parse_simple_head(input, offset))
    return ParseStatus::head;
  const char* base = size ? input.data() : kNoBytes;
  while (true) {
    if (chunked_body_) {
      const ParseStatus st = parse_chunked(input, offset);
      if (st != ParseStatus::need_more || offset == size) return st;
    }
    const char* start = base + offset;
    uint32_t len = size - offset;
    const Phase phase = phase_;
    if (phase != Phase::body && len > budget_) {
      if (budget_ == 0) {
        // The next byte would cross the limit. Inside the request-target that is a target too
        // long to parse: 414 (RFC 9112 §3), not 431.
        if (phase == Phase::head && in_request_target(*start))
          return fail(414, "request-target too long");
        return fail(431, phase == Phase::head ? "head too large" : "trailers too large");
      }
      len = budget_;  // parse no byte past the limit
    }
    if (phase == Phase::head && kind_ == Kind::request) len = cap_at_target_limit(start, len);
    event_ = ParseStatus::need_more;
    body_at_ = nullptr;
    const int err = llhttp_execute(ll_, start, len);
    const char* stop = err == HPE_OK ? start + len : llhttp_get_error_pos(ll_);
    const char* protocol_end = body_at_ ? body_at_ : stop;

    // A call stops at the first event (or the end of input), so its bytes all belong to the
    // phase it started in.
    if (const char* bad = scan(reinterpret_cast<const unsigned char*>(start),
                               reinterpret_cast<const unsigned char*>(protocol_end)))
      return fail(400, bad);
    if (body_at_) check_.line_start = false;
    if (reset_check_) {
      check_ = LineCheck{};
      reset_check_ = false;
    }
    const auto consumed = uint32_t(stop - start);
    offset += consumed;
    if (phase != Phase::body && phase == phase_) budget_ -= consumed;
    if (phase != phase_) budget_ = limits_.max_head_bytes;

    switch (err) {
      case HPE_OK:
        if (offset < size) continue;  // stopped at the byte limit: the next round fails
        return ParseStatus::need_more;
      case HPE_PAUSED:
        llhttp_resume(ll_);
        if (event_ == ParseStatus::body)
          body_ = input.sub(uint32_t(body_at_ - base), uint32_t(body_len_));
        if (event_ != ParseStatus::need_more) return event_;
        continue;  // paused for ourselves (the last chunk): go on
      case HPE_PAUSED_UPGRADE:
        upgraded_ = true;
        return ParseStatus::upgrade;
      case HPE_PAUSED_H2_UPGRADE:
        return fail(505, "HTTP/2 connection preface");
      default:
        if (rejected_) {
          failed_ = true;
          return ParseStatus::error;
        }
        return fail(llhttp_error_status(err, stop, base + size), llhttp_get_error_reason(ll_));
    }
  }
}

// The body of a chunked message, up to the last-chunk line: one event (or need_more) per call.
ParseStatus MessageParser::parse_chunked(const core::BufferSlice& input, uint32_t& offset) {
  const char* at = input.data() + offset;
  const ChunkedDecoder::Result r = chunks_.decode(at, input.data() + input.size());
  offset += uint32_t(r.consumed);
  switch (r.status) {
    case ChunkedDecoder::Status::need_more:
      return ParseStatus::need_more;
    case ChunkedDecoder::Status::data:
      body_ = input.sub(offset - uint32_t(r.data), uint32_t(r.data));
      return ParseStatus::body;
    case ChunkedDecoder::Status::last_chunk:
      if (!start_trailers()) return fail(400, "chunked body: llhttp refused the last chunk");
      return ParseStatus::need_more;
    case ChunkedDecoder::Status::error:
      break;
  }
  return fail(400, chunks_.error());
}

// The decoder has read the last-chunk line: llhttp, which has seen no body byte, gets a plain
// last-chunk line and goes on with the trailer section (under the head's byte and field limits).
bool MessageParser::start_trailers() {
  static constexpr char kLastChunk[] = "0\r\n";
  chunked_body_ = false;
  if (llhttp_execute(ll_, kLastChunk, sizeof(kLastChunk) - 1) != HPE_PAUSED ||
      phase_ != Phase::trailers)
    return false;
  llhttp_resume(ll_);
  budget_ = limits_.max_head_bytes;
  check_.line = Line::fields;
  check_.prev_cr = false;
  check_.line_start = true;
  return true;
}

void MessageParser::reset() {
  llhttp_init(ll_, kind_ == Kind::request ? HTTP_REQUEST : HTTP_RESPONSE, &kSettings);
  ll_->data = this;
  clear_message();
  body_.reset();
  phase_ = Phase::head;
  budget_ = limits_.max_head_bytes;
  check_ = LineCheck{};
  reset_check_ = false;
  event_ = ParseStatus::need_more;
  body_at_ = nullptr;
  body_len_ = 0;
  in_message_ = upgraded_ = failed_ = rejected_ = false;
  simple_body_ = closing_ = false;
  simple_left_ = 0;
  head_request_ = connect_request_ = false;
  error_status_ = 0;
  error_reason_ = "";
}

void MessageParser::clear_message() {
  if (request_) {
    request_->clear();
    fields_ = &request_->headers;
  } else {
    response_->clear();
    fields_ = &response_->headers;
  }
  trailers_.clear();
  fields_seen_ = 0;
  in_name_ = false;
  name_ = value_ = target_ = reason_ = {};
  version_len_ = 0;
  chunked_body_ = false;
  chunks_.reset();
}

void MessageParser::resume_after_upgrade() {
  if (!upgraded_) return;
  upgraded_ = false;
  llhttp_resume_after_upgrade(ll_);
}

void MessageParser::expect_response_to(std::string_view method) {
  head_request_ = method == "HEAD";
  connect_request_ = method == "CONNECT";
}

ParseStatus MessageParser::finish_on_eof() {
  if (failed_) return ParseStatus::error;
  body_.reset();
  if (in_message_ && !simple_body_ && phase_ == Phase::body && llhttp_message_needs_eof(ll_)) {
    llhttp_finish(ll_);
    if (!in_message_) {
      check_ = LineCheck{};
      reset_check_ = false;
      return ParseStatus::message_complete;
    }
  }
  return fail(502, in_message_ ? "connection closed in the middle of a response"
                               : "connection closed before a response");
}

ParseStatus MessageParser::fail(uint16_t request_status, const char* reason) {
  failed_ = true;
  error_status_ = status_for(request_status);
  error_reason_ = reason;
  return ParseStatus::error;
}

int MessageParser::reject(uint16_t request_status, const char* reason) {
  rejected_ = true;
  error_status_ = status_for(request_status);
  error_reason_ = reason;
  return -1;
}

uint16_t MessageParser::llhttp_error_status(int err, const char* pos, const char* end) const {
  switch (err) {
    case HPE_INVALID_METHOD:
      return unknown_method(pos, end) ? 501 : 400;
    case HPE_INVALID_VERSION: {
      // "HTTP/1.2" is well-formed but unsupported (505); "HTTP/1.x" or "HTTP/1.1 " is not (400).
      const std::string_view v(version_, version_len_ < 3 ? version_len_ : 3);
      const bool other = version_len_ == 3 && is_digit(v[0]) && v[1] == '.' && is_digit(v[2]) &&
                         v != "1.0" && v != "1.1";
      return other ? 505 : 400;
    }
    default:
      return 400;
  }
}

// The raw-byte rules, over every byte llhttp consumes that is not body: lines end in CRLF
// (never a bare LF or a lone CR), no header line starts with whitespace (obs-fold), no control
// character but HTAB, a request line is `method SP target SP HTTP/x.y` with single spaces, a
// status line is `HTTP/x.y SP 3DIGIT [SP reason]`.
const char* MessageParser::scan(const unsigned char* p, const unsigned char* end) {
  LineCheck& c = check_;
  for (; p < end; ++p) {
    if (c.line == Line::fields && !c.prev_cr && !c.line_start) {
      p = skip_plain(p, end);
      if (p == end) break;
    }
    const unsigned char b = *p;
    if (c.prev_cr) {
      if (b != '\n') return "CR not followed by LF";
      c.prev_cr = false;
      if (c.line != Line::idle) c.line = Line::fields;
      c.line_start = true;
      continue;
    }
    if (b == '\r') {
      if (c.line == Line::request && (c.count != 2 || c.matched != 5))
        return "malformed request line";
      if (c.line == Line::status_version || (c.line == Line::status_code && c.count != 3))
        return "malformed status line";
      c.prev_cr = true;
      continue;
    }
    if (b == '\n') return "bare LF as line terminator";
    if (is_ctl(b)) return "control character";
    if (c.line == Line::idle)
      c.line = kind_ == Kind::request ? Line::request : Line::status_version;
    switch (c.line) {
      case Line::request:
        if (b == ' ') {
          if (c.prev_sp || ++c.count > 2) return "malformed request line";
          c.prev_sp = true;
        } else if (b == '\t') {
          return "malformed request line";
        } else {
          c.prev_sp = false;
          if (c.count == 2 && c.matched < 5) {
            if (b != "HTTP/"[c.matched]) return "request line protocol is not HTTP";
            ++c.matched;
          }
        }
        break;
      case Line::status_version:
        if (b == ' ') {
          c.line = Line::status_code;
          c.count = 0;
        } else if (b == '\t') {
          return "malformed status line";
        }
        break;
      case Line::status_code:
        if (is_digit(b) && c.count < 3) {
          ++c.count;
        } else if (b == ' ' && c.count == 3) {
          c.line = Line::reason;
        } else {
          return "malformed status line";
        }
        break;
      case Line::fields:
        if (c.line_start && is_ows(char(b))) return "obs-fold (header line starts with whitespace)";
        c.line_start = false;
        break;
      default:
        break;
    }
  }
  return nullptr;
}

// Whether `next`, the byte after those scanned, continues the request-target: the request line
// has had its first space and `next` is not the second.
// The request-target is fed so that llhttp never sees a byte past its limit: the verdict is then
// the same however the bytes were cut (a bad byte past the limit is a 414, one before it a 400).
uint32_t MessageParser::cap_at_target_limit(const char* start, uint32_t len) const {
  const bool in_method =
      check_.line == Line::idle || (check_.line == Line::request && check_.count == 0);
  const bool in_target = check_.line == Line::request && check_.count == 1;
  if (!in_method && !in_target) return len;
  const std::size_t room = limits_.max_uri_length - target_.size() + 1;  // the byte that crosses
  if (len <= room) return len;
  if (in_target) return uint32_t(room);
  // Still in the method: stop after its space, so the next call starts in the target.
  const void* sp = std::memchr(start, ' ', len);
  return sp ? uint32_t(static_cast<const char*>(sp) - start + 1) : len;
}

bool MessageParser::in_request_target(char next) const {
  return kind_ == Kind::request && check_.line == Line::request && check_.count == 1 &&
         !check_.prev_cr && next != ' ';
}

int MessageParser::on_message_begin() {
  in_message_ = true;
  clear_message();
  return 0;
}

int MessageParser::on_url(const char* at, std::size_t n) {
  if (target_.size() + n > limits_.max_uri_length) return reject(414, "request-target too long");
  target_ = append(arena_, target_, at, n);
  return 0;
}

int MessageParser::on_status(const char* at, std::size_t n) {
  reason_ = append(arena_, reason_, at, n);
  return 0;
}

int MessageParser::on_version(const char* at, std::size_t n) {
  for (std::size_t i = 0; i < n && version_len_ <= sizeof(version_); ++i) {
    if (version_len_ < sizeof(version_)) version_[version_len_] = at[i];
    ++version_len_;
  }
  return 0;
}

int MessageParser::on_header_field(const char* at, std::size_t n) {
  if (!in_name_) {
    in_name_ = true;
    name_ = {};
  }
  name_ = append(arena_, name_, at, n);
  return 0;
}

int MessageParser::on_header_field_complete() {
  in_name_ = false;
  value_ = {};
  if (++fields_seen_ > limits_.max_header_count)
    return reject(431,
                  phase_ == Phase::trailers ? "too many trailer fields" : "too many header fields");
  if (name_.empty()) return reject(400, "empty header name");
  return 0;
}

int MessageParser::on_header_value(const char* at, std::size_t n) {
  value_ = append(arena_, value_, at, n);
  return 0;
}

int MessageParser::on_header_value_complete() {
  while (!value_.empty() && is_ows(value_.back())) value_.remove_suffix(1);
  fields_->add(name_, value_);
  name_ = value_ = {};
  return 0;
}

int MessageParser::on_headers_complete() {
  phase_ = Phase::body;
  llhttp_t* p = ll_;
  ConnectionOptions options;
  if (request_) {
    const RequestFacts facts{.method = llhttp_method_name(llhttp_method_t(p->method)),
                             .target = target_,
                             .connect = p->method == HTTP_CONNECT,
                             .options = p->method == HTTP_OPTIONS,
                             .major = p->http_major,
                             .minor = p->http_minor,
                             .has_content_length = (p->flags & F_CONTENT_LENGTH) != 0,
                             .content_length = p->content_length};
    const Verdict v =
        finish_request(*request_, facts, survey_fields(request_->headers), arena_, options);
    if (v.status) return reject(v.status, v.reason);
    p->upgrade = request_->upgrade;
  } else {
    const ResponseFacts facts{.status = p->status_code,
                              .reason = reason_,
                              .major = p->http_major,
                              .minor = p->http_minor,
                              .has_content_length = (p->flags & F_CONTENT_LENGTH) != 0,
                              .content_length = p->content_length,
                              .head_request = head_request_,
                              .connect_request = connect_request_};
    const Verdict v =
        finish_response(*response_, facts, survey_fields(response_->headers), options);
    if (v.status) return reject(v.status, v.reason);
    p->upgrade = response_->upgrade;
    if (response_->no_body) p->flags |= F_SKIPBODY;
  }
  set_keep_alive_flags(p, options);
  const bool keep_alive = llhttp_should_keep_alive(p) != 0;
  (request_ ? request_->keep_alive : response_->keep_alive) = keep_alive;
  closing_ = !keep_alive;
  head_connection_flags_ = uint16_t(p->flags & kConnectionFlags);
  chunked_body_ = request_ ? request_->chunked : response_->chunked;
  event_ = ParseStatus::head;
  return HPE_PAUSED;
}

// The simple path (http/simple_head.h): a whole simple head at `offset` becomes the message's head
// and its body is counted here; llhttp sees nothing of the message. False, with nothing changed
// but the arena, when the head is not simple or is one this path leaves to llhttp (an error,
// an upgrade, a connection that ends with the message, a body that runs to the close).
bool MessageParser::parse_simple_head(const core::BufferSlice& input, uint32_t& offset) {
  const char* start = input.data() + offset;
  const uint32_t len = input.size() - offset;
  // Empty lines before a request line are llhttp's to skip; the last head stays valid meanwhile.
  if (*start == '\r' || *start == '\n') return false;
  const SimpleHeadLimits limits{budget_, limits_.max_header_count, limits_.max_uri_length};
  SimpleHead s;
  clear_message();
  const bool simple = request_ ? parse_simple_request_head(start, len, limits, s, *fields_)
                               : parse_simple_response_head(start, len, limits, s, *fields_);
  if (!simple) {
    clear_message();
    return false;
  }
  // The head outlives the receive buffer: one copy into the arena, the views moved onto it.
  char* copy = arena_.allocate(s.length);
  std::memcpy(copy, start, s.length);
  const auto moved = [&](std::string_view v) {
    return std::string_view(copy + (v.data() - start), v.size());
  };
  for (HeaderField& f : fields_->fields()) {
    f.name = moved(f.name);
    f.value = moved(f.value);
  }
  ConnectionOptions options;
  bool taken;
  if (request_) {
    const RequestFacts facts{.method = s.method,
                             .target = moved(s.target),
                             .options = s.method == "OPTIONS",
                             .has_content_length = s.has_content_length,
                             .content_length = s.content_length};
    const Verdict v = finish_request(*request_, facts, s.survey, arena_, options);
    taken = v.status == 0 && !request_->upgrade && !options.close;
    simple_left_ = request_->content_length;
  } else {
    const ResponseFacts facts{.status = s.status,
                              .reason = moved(s.reason),
                              .has_content_length = s.has_content_length,
                              .content_length = s.content_length,
                              .head_request = head_request_,
                              .connect_request = connect_request_};
    const Verdict v = finish_response(*response_, facts, s.survey, options);
    taken = v.status == 0 && !response_->upgrade && !options.close &&
            (response_->no_body || response_->has_content_length);
    simple_left_ = response_->no_body ? 0 : response_->content_length;
  }
  if (!taken) {
    clear_message();
    return false;
  }
  // HTTP/1.1, not closing, the body's end known: the connection stays open (as llhttp would say).
  offset += s.length;
  budget_ = limits_.max_head_bytes;  // for the next head (llhttp's path may have spent some)
  in_message_ = true;
  phase_ = Phase::body;
  simple_body_ = true;
  return true;
}

ParseStatus MessageParser::parse_simple_body(const core::BufferSlice& input, uint32_t& offset) {
  if (simple_left_ == 0) {
    simple_body_ = false;
    in_message_ = false;
    phase_ = Phase::head;
    return ParseStatus::message_complete;
  }
  const uint32_t n = uint32_t(std::min<uint64_t>(simple_left_, input.size() - offset));
  if (n == 0) return ParseStatus::need_more;
  body_ = input.sub(offset, n);
  offset += n;
  simple_left_ -= n;
  return ParseStatus::body;
}

int MessageParser::on_body(const char* at, std::size_t n) {
  if (n == 0) return 0;
  body_at_ = at;
  body_len_ = n;
  event_ = ParseStatus::body;
  return HPE_PAUSED;
}

int MessageParser::on_chunk_header() {
  if (ll_->content_length != 0) return 0;
  // The last chunk: trailers follow, under their own byte and count limits.
  phase_ = Phase::trailers;
  fields_ = &trailers_;
  fields_seen_ = 0;
  in_name_ = false;
  return HPE_PAUSED;
}

int MessageParser::on_message_complete() {
  if (phase_ == Phase::trailers) {
    for (const auto& f : trailers_)
      if (is_framing_or_routing_field(f.name))
        return reject(400, "Content-Length, Transfer-Encoding or Host in trailers");
    // A Connection trailer field changes nothing (RFC 9110 6.5.1): the head's verdict stands
    // (llhttp would else refuse the next message after a trailer `Connection: close`).
    ll_->flags = uint16_t((ll_->flags & ~kConnectionFlags) | head_connection_flags_);
  }
  in_message_ = false;
  phase_ = Phase::head;
  reset_check_ = true;
  if (ll_->upgrade) return 0;  // llhttp stops with HPE_PAUSED_UPGRADE right after
  event_ = ParseStatus::message_complete;
  return HPE_PAUSED;
}

}  // namespace ringress::http::detail
