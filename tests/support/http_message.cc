#include "tests/support/http_message.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace ringress::test {

namespace {

constexpr size_t kMaxHead = 1 << 20;
constexpr size_t kMaxLine = 4096;

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses "name: value" into `out`; false if the line is not a valid field.
bool parse_field(std::string_view line, HeaderList& out) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view name = line.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(), is_tchar)) return false;
  out.fields.emplace_back(std::string(name), std::string(trim(line.substr(colon + 1))));
  return true;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::optional<std::string> HeaderList::get(std::string_view name) const {
  for (const auto& [n, v] : fields)
    if (iequals(n, name)) return v;
  return std::nullopt;
}

size_t HeaderList::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(fields.begin(), fields.end(),
                                           [&](const auto& f) { return iequals(f.first, name); }));
}

bool HeaderList::has_token(std::string_view name, std::string_view token) const {
  for (const auto& [n, v] : fields) {
    if (!iequals(n, name)) continue;
    std::string_view list = v;
    while (true) {
      size_t comma = list.find(',');
      if (iequals(trim(list.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return false;
}

std::string HeaderList::describe() const {
  std::string s;
  for (const auto& [n, v] : fields) s += "  " + n + ": " + v + "\n";
  return s;
}

std::string HttpMessage::describe() const {
  std::ostringstream s;
  if (!method.empty())
    s << method << " " << target << " " << version << "\n";
  else
    s << version << " " << status << " " << reason << "\n";
  s << headers.describe() << "  (body " << body_size << " bytes";
  if (!body.empty()) s << ": \"" << body.substr(0, 200) << (body.size() > 200 ? "...\"" : "\"");
  s << ")";
  if (!error.empty()) s << "\n  error: " << error;
  return s.str();
}

MessageParser::MessageParser(Kind kind, size_t max_stored_body)
    : kind_(kind), max_stored_body_(max_stored_body) {}

void MessageParser::fail(std::string why) {
  if (state_ == State::failed) return;
  msg_.error = std::move(why);
  state_ = State::failed;
}

size_t MessageParser::feed(const char* data, size_t size) {
  size_t used = 0;
  while (used < size && !done()) {
    if (state_ == State::head) {
      size_t before = head_.size();
      head_.append(data + used, size - used);
      size_t end = head_.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
      if (end == std::string::npos) {
        used = size;
        if (head_.size() > kMaxHead) fail("head larger than 1 MiB without an end");
        break;
      }
      head_.resize(end + 4);
      used += head_.size() - before;
      parse_head();
    } else {
      used += feed_body(data + used, size - used);
    }
  }
  return used;
}

void MessageParser::feed_eof() {
  if (done()) return;
  if (state_ == State::body && msg_.framing == HttpMessage::Framing::until_close) {
    msg_.body_digest = digest_.value();
    state_ = State::done;
    return;
  }
  if (!started()) {
    fail("connection closed before a message");
  } else if (state_ == State::head) {
    fail("connection closed in the middle of the head (" + std::to_string(head_.size()) +
         " bytes)");
  } else {
    fail("connection closed in the middle of the body, after " + std::to_string(msg_.body_size) +
         " body bytes");
  }
}

HttpMessage MessageParser::take() {
  HttpMessage out = std::move(msg_);
  if (state_ == State::done) out.body_digest = digest_.value();
  msg_ = HttpMessage{};
  head_.clear();
  line_.clear();
  digest_ = Digest{};
  remaining_ = 0;
  chunk_ = Chunk::size_line;
  state_ = State::head;
  if (out.status >= 200 || out.status == 0) head_request_ = false;
  return out;
}

void MessageParser::parse_head() {
  msg_.head = head_;
  std::string_view text(head_);
  text.remove_suffix(4);  // the final CRLF CRLF
  std::vector<std::string_view> lines;
  while (true) {
    size_t crlf = text.find("\r\n");
    lines.push_back(text.substr(0, crlf));
    if (crlf == std::string_view::npos) break;
    text.remove_prefix(crlf + 2);
  }
  for (std::string_view line : lines) {
    if (line.find_first_of("\r\n") != std::string_view::npos)
      return fail("bare CR or LF in the head: " + std::string(line));
  }
  if (!parse_start_line(lines[0])) return;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (!lines[i].empty() && (lines[i][0] == ' ' || lines[i][0] == '\t'))
      return fail("obs-fold header line: " + std::string(lines[i]));
    if (!parse_field(lines[i], msg_.headers))
      return fail("malformed header line: " + std::string(lines[i]));
  }
  choose_framing();
}

bool MessageParser::parse_start_line(std::string_view line) {
  if (kind_ == Kind::request) {
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
      fail("malformed request line: " + std::string(line));
      return false;
    }
    msg_.method = line.substr(0, sp1);
    msg_.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    msg_.version = line.substr(sp2 + 1);
  } else {
    // "HTTP/1.1 200 OK"; the reason may be empty.
    if (line.size() < 12 || line[8] != ' ' || !all_digits(line.substr(9, 3)) ||
        (line.size() > 12 && line[12] != ' ')) {
      fail("malformed status line: " + std::string(line));
      return false;
    }
    msg_.version = line.substr(0, 8);
    msg_.status = std::stoi(std::string(line.substr(9, 3)));
    msg_.reason = line.size() > 13 ? line.substr(13) : "";
  }
  if (msg_.version != "HTTP/1.1" && msg_.version != "HTTP/1.0") {
    fail("unexpected version: " + std::string(line));
    return false;
  }
  return true;
}

void MessageParser::choose_framing() {
  using Framing = HttpMessage::Framing;
  const HeaderList& h = msg_.headers;
  bool bodyless = kind_ == Kind::response &&
                  (head_request_ || msg_.status < 200 || msg_.status == 204 || msg_.status == 304);
  size_t te = h.count("transfer-encoding"), cl = h.count("content-length");
  if (!bodyless && te > 0 && cl > 0) return fail("both Transfer-Encoding and Content-Length");
  if (cl > 1) return fail("more than one Content-Length");
  if (te > 1) return fail("more than one Transfer-Encoding field");
  if (bodyless) {
    msg_.framing = Framing::none;
  } else if (te == 1) {
    if (!iequals(*h.get("transfer-encoding"), "chunked"))
      return fail("Transfer-Encoding other than chunked: " + *h.get("transfer-encoding"));
    msg_.framing = Framing::chunked;
  } else if (cl == 1) {
    std::string v = *h.get("content-length");
    if (!all_digits(v) || v.size() > 18) return fail("bad Content-Length: " + v);
    msg_.framing = Framing::content_length;
    remaining_ = std::stoull(v);
  } else {
    msg_.framing = kind_ == Kind::response ? Framing::until_close : Framing::none;
  }
  bool empty =
      msg_.framing == Framing::none || (msg_.framing == Framing::content_length && remaining_ == 0);
  state_ = empty ? State::done : State::body;
}

size_t MessageParser::feed_body(const char* data, size_t size) {
  switch (msg_.framing) {
    case HttpMessage::Framing::content_length: {
      size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, size));
      emit(data, n);
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::done;
      return n;
    }
    case HttpMessage::Framing::until_close:
      emit(data, size);
      return size;
    case HttpMessage::Framing::chunked:
      return feed_chunked(data, size);
    case HttpMessage::Framing::none:
      break;
  }
  state_ = State::done;
  return 0;
}

size_t MessageParser::take_line(const char* data, size_t size, bool* complete) {
  *complete = false;
  size_t used = 0;
  while (used < size) {
    char c = data[used++];
    line_.push_back(c);
    if (c == '\n') {
      if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
        fail("bare LF in chunked framing");
        return used;
      }
      line_.resize(line_.size() - 2);
      *complete = true;
      return used;
    }
    if (line_.size() > kMaxLine) {
      fail("chunked framing line longer than 4096 bytes");
      return used;
    }
  }
  return used;
}

size_t MessageParser::feed_chunked(const char* data, size_t size) {
  size_t used = 0;
  while (used < size && state_ == State::body) {
    bool complete = false;
    switch (chunk_) {
      case Chunk::size_line: {
        used += take_line(data + used, size - used, &complete);
        if (!complete) break;
        std::string_view line(line_);
        std::string_view hex = line.substr(0, line.find(';'));
        if (hex.empty() || hex.size() > 15 || !std::all_of(hex.begin(), hex.end(), [](char c) {
              return std::isxdigit(static_cast<unsigned char>(c));
            })) {
          fail("bad chunk size line: \"" + line_ + "\"");
          break;
        }
        remaining_ = std::stoull(std::string(hex), nullptr, 16);
        line_.clear();
        if (remaining_ == 0) {
          chunk_ = Chunk::trailers;
        } else {
          ++msg_.chunks;
          chunk_ = Chunk::data;
        }
        break;
      }
      case Chunk::data: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, size - used));
        emit(data + used, n);
        used += n;
        remaining_ -= n;
        if (remaining_ == 0) chunk_ = Chunk::data_crlf;
        break;
      }
      case Chunk::data_crlf:
        used += take_line(data + used, size - used, &complete);
        if (complete && !line_.empty()) fail("chunk data longer than its size");
        if (complete) chunk_ = Chunk::size_line;
        break;
      case Chunk::trailers:
        used += take_line(data + used, size - used, &complete);
        if (!complete) break;
        if (line_.empty()) {
          state_ = State::done;
        } else if (!parse_field(line_, msg_.trailers)) {
          fail("malformed trailer line: " + line_);
        }
        line_.clear();
        break;
    }
  }
  return used;
}

void MessageParser::emit(const char* data, size_t size) {
  if (size == 0) return;
  msg_.body_size += size;
  digest_.update(data, size);
  if (sink_) {
    sink_(data, size);
  } else if (msg_.body.size() < max_stored_body_) {
    msg_.body.append(data, std::min(size, max_stored_body_ - msg_.body.size()));
  }
}

std::string request_bytes(std::string_view method, std::string_view target,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          std::string_view body, std::string_view version) {
  std::string out;
  out.append(method).append(" ").append(target).append(" ").append(version).append("\r\n");
  for (const auto& [n, v] : headers) out.append(n).append(": ").append(v).append("\r\n");
  out.append("\r\n").append(body);
  return out;
}

std::string get_request(std::string_view target, std::string_view host) {
  return request_bytes("GET", target, {{"Host", std::string(host)}});
}

std::string websocket_handshake(std::string_view target) {
  return request_bytes("GET", target,
                       {{"Host", "ws.example"},
                        {"Connection", "Upgrade"},
                        {"Upgrade", "websocket"},
                        {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                        {"Sec-WebSocket-Version", "13"}});
}

std::string response_bytes(int status, std::string_view reason,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string_view body, bool add_content_length) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
  out.append(reason).append("\r\n");
  for (const auto& [n, v] : headers) out.append(n).append(": ").append(v).append("\r\n");
  if (add_content_length) out.append("Content-Length: " + std::to_string(body.size()) + "\r\n");
  out.append("\r\n").append(body);
  return out;
}

std::string ok_response(std::string_view body,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  return response_bytes(200, "OK", headers, body);
}

}  // namespace ringress::test
