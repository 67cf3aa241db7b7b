#include "fuzz/http_transcript.h"

namespace ringress::fuzz {
namespace {

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(char(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string describe(const Fields& fields) {
  std::string s;
  for (const auto& f : fields) s += "\n    " + printable(f.name) + ": " + printable(f.value);
  return s;
}

const char* end_name(Message::End e) {
  switch (e) {
    case Message::End::open:
      return "open";
    case Message::End::complete:
      return "complete";
    case Message::End::upgrade:
      return "upgrade";
    case Message::End::error:
      return "error";
  }
  return "?";
}

}  // namespace

Fields copy_fields(const http::HeaderMap& map) {
  Fields out;
  out.reserve(map.size());
  for (const auto& f : map) out.push_back({std::string(f.name), std::string(f.value)});
  return out;
}

std::string describe(const http::RequestHead& h) {
  std::string s = printable(h.method) + " " + printable(h.target) + " HTTP/1." +
                  std::to_string(h.version_minor);
  s += " path=" + printable(h.path) + " query=" + printable(h.query) +
       " origin=" + printable(h.origin_target) + " host=" + printable(h.host);
  s += " ka=" + std::to_string(h.keep_alive) + " chunked=" + std::to_string(h.chunked);
  s += " cl=" + (h.has_content_length ? std::to_string(h.content_length) : std::string("-"));
  s += " upgrade=" + std::to_string(h.upgrade) + " expect=" + std::to_string(h.expect_continue);
  s += " absolute=" + std::to_string(h.absolute_form);
  return s;
}

std::string describe(const http::ResponseHead& h) {
  std::string s = "HTTP/1." + std::to_string(h.version_minor) + " " + std::to_string(h.status) +
                  " " + printable(h.reason);
  s += " ka=" + std::to_string(h.keep_alive) + " chunked=" + std::to_string(h.chunked);
  s += " cl=" + (h.has_content_length ? std::to_string(h.content_length) : std::string("-"));
  s += " upgrade=" + std::to_string(h.upgrade) + " no_body=" + std::to_string(h.no_body);
  return s;
}

std::string describe(const Message& m) {
  std::string s = "  head " + m.head + describe(m.headers);
  s += "\n  body (" + std::to_string(m.body.size()) + ") " + printable(m.body);
  if (!m.trailers.empty()) s += "\n  trailers" + describe(m.trailers);
  s += "\n  end " + std::string(end_name(m.end));
  return s;
}

std::string describe(const std::vector<Message>& messages) {
  std::string s;
  for (std::size_t i = 0; i < messages.size(); ++i)
    s += "message " + std::to_string(i) + ":\n" + describe(messages[i]) + "\n";
  return s;
}

std::string describe(const Transcript& t) {
  std::string s = describe(t.messages);
  if (t.error_status != 0)
    s += "error " + std::to_string(t.error_status) + " " + t.error_reason + "\n";
  return s;
}

std::string show_bytes(std::string_view bytes) {
  std::string s = "bytes (" + std::to_string(bytes.size()) + "): " + printable(bytes) + "\nhex: ";
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : bytes) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

}  // namespace ringress::fuzz
