// Format strings: "%METHOD% %PATH%" -> FormatPieces, once at load. Used for header values that
// headers filters and routes add, and for access log lines. Syntax: %NAME% is a variable (the
// list is FormatVar in conf/http_config.h), %REQ(Name)% and %RESP(Name)% a request or response
// header, %% a literal "%"; everything else is literal text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "conf/http_config.h"

namespace ringress::conf {

// The access log line when a listener's access_log does not give a format.
inline constexpr std::string_view kDefaultAccessLogFormat =
    "%START_TIME% %CLIENT_ADDRESS% \"%METHOD% %PATH% %PROTOCOL%\" %STATUS% %BYTES_RECEIVED% "
    "%BYTES_SENT% %DURATION%ms \"%UPSTREAM_HOST%\" %RESPONSE_FLAGS%";

// A tcp listener's access log line when its access_log does not give a format (Envoy's
// tcp_proxy fields: start, client, bytes up and down, duration, upstream, flags). A listener
// with tls or sni_routes adds " %REQUESTED_SERVER_NAME%".
inline constexpr std::string_view kDefaultTcpAccessLogFormat =
    "%START_TIME% %CLIENT_ADDRESS%:%CLIENT_PORT% %BYTES_RECEIVED% %BYTES_SENT% %DURATION%ms "
    "%UPSTREAM_CLUSTER% \"%UPSTREAM_HOST%\" %RESPONSE_FLAGS%";

// The variable's name as written between the percent signs: "METHOD", "REQ" for
// request_header, "RESP" for response_header; "" for literal.
std::string_view format_var_name(FormatVar var);

// Parses `text`. Adjacent literal text is one piece; "" gives no pieces. On a mistake returns
// nullopt and sets `error` to a message for the user (unknown variable with a hint and the list
// of known ones, a "%" without its closing "%", a bad header name in REQ/RESP).
std::optional<FormatString> parse_format(std::string_view text, std::string& error);
// The same for a tcp listener's access log: only the variables a TCP session has a value for
// (start, client, bytes, duration, upstream, flags, connect time and attempts, the ClientHello's
// server name); any other (%METHOD%, %REQ(Name)%, ...) is an error that lists those. parse_format
// refuses %REQUESTED_SERVER_NAME%, which only a TCP session has.
std::optional<FormatString> parse_tcp_format(std::string_view text, std::string& error);

}  // namespace ringress::conf
