// HTTP/1.1 serialization: heads, chunk framing and trailers, appended to a std::string that the
// caller reuses (so steady state does not allocate). The caller's fields must already be valid
// (is_token / is_field_value in header_map.h); nothing here escapes or checks them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/header_map.h"
#include "http/status.h"

namespace ringress::http {

// "METHOD target HTTP/1.x\r\n" + "Name: value\r\n"... + "\r\n" (version_minor 0 or 1).
void write_request_head(std::string& out, std::string_view method, std::string_view target,
                        uint8_t version_minor, const HeaderMap& headers);
// "HTTP/1.1 NNN reason\r\n" + fields + "\r\n"; an empty reason becomes reason_phrase(status).
void write_response_head(std::string& out, uint16_t status, std::string_view reason,
                         const HeaderMap& headers);
// The size line of a chunk: lowercase hex + "\r\n", e.g. "1a2b\r\n". The caller appends the
// data and "\r\n" after it.
void write_chunk_header(std::string& out, std::size_t size);
// "0\r\n" + trailer fields + "\r\n": ends a chunked body.
void write_last_chunk(std::string& out, const HeaderMap& trailers);

}  // namespace ringress::http
