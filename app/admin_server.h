// AdminServer: the [admin] HTTP endpoint (docs/operations.md), served on the control loop's
// reactor (app/control_loop.h), never on a worker. It reads requests with ringress's own parser
// (http/parser.h) and writes responses with http/serializer.h, one connection at a time, each
// bounded in head size (8 KiB) and time (5 s for the request and the response), with
// "Connection: close"; other connections wait in the listen backlog.
//
// /stats asks every worker for a value copy of its counters (StatsRequest through the worker
// registry), and answers when all of them replied (StatsReply through the control channel), or
// 503 after one second. The workers are never blocked: each answers from its own loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/admin_snapshot.h"
#include "app/messages.h"
#include "conf/config.h"
#include "core/acceptor.h"
#include "core/buffer_pool.h"
#include "core/cancel_token.h"
#include "core/task.h"

namespace ringress::core {
class TcpStream;
}

namespace ringress::app {

class ControlLoop;

class AdminServer {
 public:
  // The response to one request: status, Content-Type, body, and Allow for a 405.
  struct Response {
    uint16_t status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::string allow;
  };

  // Binds the control loop's config's admin.address (error() says why when that failed).
  // `buffers` is a pool of the control loop's reactor. What it serves follows the control loop's
  // running config generation.
  AdminServer(ControlLoop& control, core::BufferPool& buffers);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  const std::string& error() const { return error_; }
  // Serves until stop().
  core::Task<void> run();
  void stop();
  // A worker's answer to a StatsRequest.
  void on_stats(const StatsReply& reply);
  // /ready answers 503 from now on.
  void set_draining() { draining_ = true; }

 private:
  core::Task<void> serve(core::Socket socket);
  core::Task<Response> respond(std::string_view method, std::string_view path,
                               std::string_view query);
  // Asks every worker for its snapshot and sums them into `merged`; "" or why it failed.
  core::Task<std::string> gather(WorkerSnapshot& merged);
  core::Task<Response> stats(std::string_view query);
  core::Task<Response> clusters(std::string_view query);
  Response logging(std::string_view method, std::string_view query);
  Response server_info() const;
  // POST /reload (ControlLoop::reload).
  core::Task<Response> reload();

  ControlLoop& control_;
  core::BufferPool& buffers_;
  std::string error_;
  std::unique_ptr<core::Acceptor> acceptor_;
  core::CancelToken stop_;
  core::TcpStream* current_ = nullptr;  // the connection being served
  std::chrono::steady_clock::time_point started_;
  bool draining_ = false;
  // The /stats request in progress.
  uint64_t stats_id_ = 0;
  std::size_t stats_expected_ = 0;
  std::vector<std::shared_ptr<const WorkerSnapshot>> stats_replies_;
};

}  // namespace ringress::app
