// Acceptor: a multishot accept on one listening socket. Accepted sockets queue here until the
// accept loop takes them. stop() ends it (the pending accept() returns -ECANCELED) and closes
// the listening socket, so the kernel refuses new connections to this worker at once. Not
// movable; may outlive its owner until the last CQE like RecvQueue (see detach in the .cc).
#pragma once

#include <coroutine>
#include <vector>

#include "core/reactor.h"
#include "core/socket.h"

namespace ringress::core {

struct AcceptResult {
  int error = 0;  // 0 or -errno (-ECANCELED once stopped)
  Socket socket;
};

class Acceptor {
 public:
  explicit Acceptor(Socket listening);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  class AcceptAwaiter {
   public:
    explicit AcceptAwaiter(Acceptor& a) : a_(a) {}
    bool await_ready() const noexcept;
    void await_suspend(std::coroutine_handle<> h);
    AcceptResult await_resume();

   private:
    Acceptor& a_;
  };
  AcceptAwaiter accept() { return AcceptAwaiter(*this); }
  void stop();
  int fd() const { return listening_.fd(); }

 private:
  class State;
  State* state_;
  Socket listening_;
};

}  // namespace ringress::core
