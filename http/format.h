// Rendering of config format strings (%VARIABLES%) against an exchange: header values that
// filters add and access log lines. No parsing happens here; conf split the strings at load.
#pragma once

#include <string>
#include <string_view>

#include "conf/http_config.h"
#include "http/exchange.h"

namespace ringress::http {

// Appends the rendered text to `out`. A missing value renders as "-".
void append_format(std::string& out, const conf::FormatString& format, const Exchange& exchange);
// The same, as a view into the exchange's arena; literal-only formats are returned as is.
std::string_view render_format(const conf::FormatString& format, const Exchange& exchange);
// A JSON object with one member per variable of `format` (literals are ignored).
void append_format_json(std::string& out, const conf::FormatString& format,
                        const Exchange& exchange);
// `line` becomes one access-log line for `exchange`, text or JSON as `log` says, with its
// newline (the HTTP access_log filter and TCP listeners write the same lines).
void format_access_line(std::string& line, const conf::AccessLog& log, const Exchange& exchange);

}  // namespace ringress::http
