#include "tls/hello_reader.h"

namespace ringress::tls {

core::Task<HelloRead> read_client_hello(core::TcpStream& stream, core::TimePoint deadline) {
  HelloRead out;
  for (;;) {
    core::ReadResult r = co_await stream.read(deadline);
    if (r.error < 0 || r.eof()) {
      out.error = r.error;
      co_return out;
    }
    out.bytes.append(r.data.view());
    out.status = parse_client_hello(out.bytes, out.info);
    if (out.status != HelloStatus::kNeedMore) co_return out;
  }
}

bool looks_like_http(std::string_view bytes) {
  for (std::string_view m :
       {"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "})
    if (bytes.starts_with(m)) return true;
  return false;
}

}  // namespace ringress::tls
