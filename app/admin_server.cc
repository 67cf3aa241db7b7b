#include "app/admin_server.h"

#include <fstream>
#include <sstream>

#include "app/admin_stats.h"
#include "app/control_loop.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/io_op.h"
#include "core/log.h"
#include "core/socket.h"
#include "core/tcp_stream.h"
#include "http/header_map.h"
#include "http/parser.h"
#include "http/serializer.h"

namespace ringress::app {

namespace {

constexpr uint32_t kMaxHeadBytes = 8192;
constexpr auto kConnectionTime = std::chrono::seconds(5);
constexpr auto kStatsWait = std::chrono::seconds(1);
constexpr auto kStatsPoll = std::chrono::milliseconds(2);
constexpr int kBacklog = 16;

using Response = AdminServer::Response;

Response text(uint16_t status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response method_not_allowed(std::string allow) {
  Response r = text(405, "method not allowed; allowed: " + allow + "\n");
  r.allow = std::move(allow);
  return r;
}

// The value of `name` in a query string ("a=1&format=json"), or "" (no decoding: the admin's
// parameters are plain words).
std::string_view query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
  }
  return {};
}

const char* level_name(core::LogLevel l) {
  switch (l) {
    case core::LogLevel::debug:
      return "debug";
    case core::LogLevel::info:
      return "info";
    case core::LogLevel::warn:
      return "warn";
    case core::LogLevel::error:
      return "error";
  }
  return "info";
}

}  // namespace

AdminServer::AdminServer(ControlLoop& control, core::BufferPool& buffers)
    : control_(control), buffers_(buffers), started_(std::chrono::steady_clock::now()) {
  const conf::Config& config = control.config();
  core::Socket s = core::listen_tcp(config.admin.address, kBacklog, false, error_);
  if (!s.valid()) {
    error_ = "admin " + config.admin.address_text + ": " + error_;
    return;
  }
  acceptor_ = std::make_unique<core::Acceptor>(std::move(s));
}

AdminServer::~AdminServer() = default;

core::Task<void> AdminServer::run() {
  RLOG_INFO("admin endpoint on %s", control_.config().admin.address.to_string().c_str());
  for (;;) {
    core::AcceptResult r = co_await acceptor_->accept();
    if (r.error == -ECANCELED || stop_.cancelled()) co_return;
    if (r.error < 0) continue;
    co_await serve(std::move(r.socket));
  }
}

void AdminServer::stop() {
  stop_.cancel();
  if (acceptor_) acceptor_->stop();
  if (current_) current_->cancel();
}

void AdminServer::on_stats(const StatsReply& reply) {
  if (reply.id != stats_id_ || !reply.snapshot) return;  // a late answer to an earlier request
  stats_replies_.push_back(reply.snapshot);
}

core::Task<void> AdminServer::serve(core::Socket socket) {
  core::TcpStream stream(std::move(socket), buffers_, kMaxHeadBytes * 2);
  current_ = &stream;
  const core::TimePoint deadline = core::deadline_after(kConnectionTime);
  core::Arena arena;
  http::ParseLimits limits;
  limits.max_head_bytes = kMaxHeadBytes;
  limits.max_header_count = 64;
  limits.max_uri_length = 2048;
  http::RequestParser parser(limits, arena);
  Response response;
  bool have_head = false;
  uint8_t version_minor = 1;
  while (!have_head) {
    core::ReadResult r = co_await stream.read(deadline);
    if (r.error < 0 || r.eof()) {
      current_ = nullptr;
      co_return;
    }
    uint32_t offset = 0;
    http::ParseStatus st = http::ParseStatus::need_more;
    while ((st = parser.parse(r.data, offset)) != http::ParseStatus::need_more) {
      if (st == http::ParseStatus::error) {
        response = text(parser.error_status(), std::string(parser.error_reason()) + "\n");
        have_head = true;
        break;
      }
      if (st == http::ParseStatus::head || st == http::ParseStatus::upgrade) {
        const http::RequestHead& head = parser.head();
        version_minor = head.version_minor;
        std::string method(head.method), path(head.path), query(head.query);
        response = co_await respond(method, path, query);
        have_head = true;
        break;
      }
    }
  }
  if (stop_.cancelled()) {
    current_ = nullptr;
    co_return;
  }
  http::HeaderMap headers;
  const std::string length = std::to_string(response.body.size());
  headers.add("Content-Type", response.content_type);
  headers.add("Content-Length", length);
  headers.add("Cache-Control", "no-cache");
  if (!response.allow.empty()) headers.add("Allow", response.allow);
  headers.add("Connection", "close");
  std::string out;
  http::write_response_head(out, response.status, {}, headers);
  if (version_minor == 0) out[7] = '0';  // answer an HTTP/1.0 client in its version
  out += response.body;
  co_await stream.write(out.data(), out.size(), deadline);
  co_await stream.shutdown_write();
  current_ = nullptr;
}

core::Task<Response> AdminServer::respond(std::string_view method, std::string_view path,
                                          std::string_view query) {
  const bool get = method == "GET" || method == "HEAD";
  if (path == "/stats") {
    if (!get) co_return method_not_allowed("GET, HEAD");
    Response r = co_await stats(query);
    co_return r;
  }
  if (path == "/ready") {
    if (!get) co_return method_not_allowed("GET, HEAD");
    co_return draining_ ? text(503, "draining\n") : text(200, "ready\n");
  }
  if (path == "/clusters") {
    if (!get) co_return method_not_allowed("GET, HEAD");
    Response r = co_await clusters(query);
    co_return r;
  }
  if (path == "/config") {
    if (!get) co_return method_not_allowed("GET, HEAD");
    Response r =
        text(200, conf::redacted_config_toml(control_.config_text(), control_.config().path));
    r.content_type = "application/toml";
    co_return r;
  }
  if (path == "/logging") {
    if (!get && method != "POST") co_return method_not_allowed("GET, HEAD, POST");
    co_return logging(method, query);
  }
  if (path == "/drain") {
    if (method != "POST") co_return method_not_allowed("POST");
    if (!draining_) RLOG_INFO("admin: drain requested");
    draining_ = true;
    control_.request_drain();
    co_return text(200, "draining\n");
  }
  if (path == "/reload") {
    if (method != "POST") co_return method_not_allowed("POST");
    Response r = co_await reload();
    co_return r;
  }
  if (path == "/server_info") {
    if (!get) co_return method_not_allowed("GET, HEAD");
    co_return server_info();
  }
  co_return text(404,
                 "unknown admin path; try /stats, /stats?format=json, /clusters, /ready, /config, "
                 "/logging, /drain (POST), /reload (POST), /server_info\n");
}

core::Task<std::string> AdminServer::gather(WorkerSnapshot& merged) {
  if (draining_) co_return "draining: the workers no longer answer; totals are logged at exit\n";
  ++stats_id_;
  stats_replies_.clear();
  stats_expected_ = control_.registry().size();
  control_.registry().broadcast(StatsRequest{stats_id_});
  const core::TimePoint until = core::deadline_after(kStatsWait);
  while (stats_replies_.size() < stats_expected_ && core::Clock::now() < until &&
         !stop_.cancelled()) {
    int rc = co_await core::sleep_for(kStatsPoll, &stop_);
    if (rc == -ECANCELED) break;
  }
  if (stats_replies_.size() < stats_expected_)
    co_return std::to_string(stats_replies_.size()) + " of " + std::to_string(stats_expected_) +
        " workers answered in time\n";
  for (const auto& s : stats_replies_) merged.merge(*s);
  stats_replies_.clear();
  co_return std::string();
}

core::Task<Response> AdminServer::stats(std::string_view query) {
  const std::string_view format = query_param(query, "format");
  if (!format.empty() && format != "json" && format != "prometheus")
    co_return text(400, "format must be json or prometheus\n");
  WorkerSnapshot merged;
  std::string failed = co_await gather(merged);
  if (!failed.empty()) co_return text(503, failed);

  StatsInput in;
  in.config = &control_.config();
  in.config_generation = control_.generation();
  in.reloads_ok = control_.reloads_ok();
  in.reloads_failed = control_.reloads_failed();
  in.workers = &merged;
  in.uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  in.worker_count = static_cast<unsigned>(stats_expected_);
  in.draining = draining_;
  in.log_dropped_lines = core::log_dropped_lines();
  for (std::size_t i = 0; i < control_.config().clusters.size(); ++i)
    in.clusters.push_back(control_.cluster_control_stats(i));
  std::vector<Stat> list = collect_stats(in);
  std::vector<HistogramStat> histograms = collect_histograms(in);
  Response r;
  if (format == "json") {
    r.content_type = "application/json";
    r.body = render_json(list, histograms);
  } else {
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = render_prometheus(list, histograms);
  }
  co_return r;
}

Response AdminServer::logging(std::string_view method, std::string_view query) {
  const std::string_view level = query_param(query, "level");
  if (level.empty()) {
    if (method == "POST")
      return text(400, "give the level: /logging?level=debug|info|warn|error\n");
    return text(200, std::string("level: ") + level_name(core::log_level()) + "\n");
  }
  constexpr core::LogLevel kLevels[] = {core::LogLevel::debug, core::LogLevel::info,
                                        core::LogLevel::warn, core::LogLevel::error};
  for (core::LogLevel l : kLevels) {
    if (level != level_name(l)) continue;
    const core::LogLevel before = core::log_level();
    core::set_log_level(l);
    if (before != l)  // always written: an operator's change, whatever the new level
      core::log_write(core::LogLevel::warn, "admin: log level %s -> %s", level_name(before),
                      level_name(l));
    return text(200, std::string("level: ") + level_name(l) + "\n");
  }
  return text(400, "level must be debug, info, warn or error\n");
}

Response AdminServer::server_info() const {
  const double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.3f", uptime);
  std::string body = "{\"version\": \"" RINGRESS_VERSION "\", \"uptime_seconds\": ";
  body += seconds;
  body += ", \"config_path\": ";
  std::string path;
  for (char c : control_.config().path) {
    if (c == '"' || c == '\\') path += '\\';
    path += c;
  }
  body += "\"" + path + "\", \"config_generation\": " + std::to_string(control_.generation()) +
          ", \"workers\": " + std::to_string(control_.registry().size()) + ", \"state\": \"" +
          (draining_ ? "draining" : "live") + "\"}\n";
  Response r = text(200, std::move(body));
  r.content_type = "application/json";
  return r;
}

core::Task<Response> AdminServer::reload() {
  if (draining_) co_return text(503, "draining: the configuration no longer changes\n");
  ReloadResult r = co_await control_.reload("admin POST /reload");
  if (!r.ok)
    co_return text(r.status, "reload refused: " + r.error + "\nconfig generation " +
                                 std::to_string(r.generation) + " keeps serving\n");
  co_return text(200,
                 "config generation " + std::to_string(r.generation) + "\n" + r.summary + "\n");
}

}  // namespace ringress::app
