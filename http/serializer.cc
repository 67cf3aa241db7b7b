#include "http/serializer.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace ringress::http {
namespace {

std::size_t fields_size(const HeaderMap& fields) {
  std::size_t n = 0;
  for (const auto& f : fields) n += f.name.size() + f.value.size() + 4;
  return n;
}

// Grows `out` once for a whole head, geometrically (a reserve of the exact size on every call
// would copy the string each time it is appended to).
void make_room(std::string& out, std::size_t more) {
  std::size_t need = out.size() + more;
  if (need > out.capacity()) out.reserve(std::max(need, out.capacity() * 2));
}

char* put(char* p, std::string_view s) {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());  // an empty view may have no data
  return p + s.size();
}

// Fields go straight into the string's storage, sized once: a head is written field by field
// on every request and response, and four appends per field (each checking the capacity) cost
// about twice the instructions. `size` is fields_size(fields), which the caller made room for.
void append_fields(std::string& out, const HeaderMap& fields, std::size_t size) {
  const std::size_t at = out.size();
  out.resize(at + size);
  char* p = out.data() + at;
  for (const auto& f : fields) {
    p = put(p, f.name);
    p[0] = ':';
    p[1] = ' ';
    p += 2;
    p = put(p, f.value);
    p[0] = '\r';
    p[1] = '\n';
    p += 2;
  }
}

}  // namespace

void write_request_head(std::string& out, std::string_view method, std::string_view target,
                        uint8_t version_minor, const HeaderMap& headers) {
  const std::size_t fields = fields_size(headers);
  make_room(out, method.size() + target.size() + 14 + fields);
  out.append(method);
  out.push_back(' ');
  out.append(target);
  out.append(version_minor == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
  append_fields(out, headers, fields);
  out.append("\r\n");
}

void write_response_head(std::string& out, uint16_t status, std::string_view reason,
                         const HeaderMap& headers) {
  if (reason.empty()) reason = reason_phrase(status);
  const std::size_t fields = fields_size(headers);
  make_room(out, 17 + reason.size() + fields);
  const char code[3] = {char('0' + status / 100 % 10), char('0' + status / 10 % 10),
                        char('0' + status % 10)};
  out.append("HTTP/1.1 ");
  out.append(code, 3);
  out.push_back(' ');
  out.append(reason);
  out.append("\r\n");
  append_fields(out, headers, fields);
  out.append("\r\n");
}

void write_chunk_header(std::string& out, std::size_t size) {
  char hex[2 * sizeof(std::size_t) + 2];
  char* end = std::to_chars(hex, hex + sizeof(hex), size, 16).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out.append(hex, std::size_t(end - hex));
}

void write_last_chunk(std::string& out, const HeaderMap& trailers) {
  const std::size_t fields = fields_size(trailers);
  make_room(out, 5 + fields);
  out.append("0\r\n");
  append_fields(out, trailers, fields);
  out.append("\r\n");
}

}  // namespace ringress::http
