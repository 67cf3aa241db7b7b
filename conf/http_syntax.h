// The syntax of HTTP things that config values name: tokens (header names, methods), header
// values, host names, CIDR blocks. Pure functions, no config knowledge.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ringress::conf {

// An HTTP token (RFC 9110 tchar+): what header names and methods are made of.
bool is_http_token(std::string_view text);

// Text that may go into a header value as it is: no control characters but tab (so no CR or LF
// that would end the header early).
bool is_header_value(std::string_view text);

// A DNS name (letters, digits, '-', '_', dots between non-empty labels) or an IPv4 address.
bool is_host_name(std::string_view text);

// What a Host header may hold: a host name, an IPv4 address or a bracketed IPv6 address, each
// with an optional ":port" (1..65535).
bool is_host_header(std::string_view text);

// "10.0.0.0/8", "fd00::/8"; a bare address stands for itself (/32 or /128). Returns the block in
// canonical form ("10.0.0.0/8", "fd00::/8", "127.0.0.1/32"), or nullopt with `error` set: bad
// syntax, a prefix length out of range, or bits set after the prefix; in that last case `meant`
// is the block with those bits cleared.
std::optional<std::string> parse_cidr(std::string_view text, std::string& error,
                                      std::string& meant);

}  // namespace ringress::conf
