// What an HTTP parser made of a byte stream, as owned copies (the parser's views die with its
// arena): each message's head, body bytes, trailers and how it ended. The parser targets compare
// transcripts: the same bytes cut differently, and what ringress forwards parsed back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/header_map.h"
#include "http/message.h"

namespace ringress::fuzz {

struct Field {
  std::string name;
  std::string value;
  bool operator==(const Field&) const = default;
};
using Fields = std::vector<Field>;

Fields copy_fields(const http::HeaderMap& map);

struct Message {
  enum class End : uint8_t { open, complete, upgrade, error };

  // The head: a request line or a status line, its fields and the parser's verdict on it
  // (framing, keep-alive, upgrade, ...), rendered as text.
  std::string head;
  Fields headers;
  std::string body;
  Fields trailers;
  End end = End::open;
  bool operator==(const Message&) const = default;
};

// A request head as text: every field of RequestHead but the header list.
std::string describe(const http::RequestHead& h);
std::string describe(const http::ResponseHead& h);
std::string describe(const Message& m);
std::string describe(const std::vector<Message>& messages);

struct Transcript {
  std::vector<Message> messages;  // the last one may be open or ended in the error
  uint16_t error_status = 0;      // the parser's verdict when it failed
  std::string error_reason;
  bool operator==(const Transcript&) const = default;
};
std::string describe(const Transcript& t);

// The text and its hex dump, for failure messages about bytes.
std::string show_bytes(std::string_view bytes);

}  // namespace ringress::fuzz
