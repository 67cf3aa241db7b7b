// CancelToken: a one-way "stop now" signal and the waits that listen to it.
//
// Whoever owns a piece of work owns its token (a connection, a TCP proxy session, a TaskScope),
// so ownership follows the structure of the program. Every wait that work starts and that no
// stream can end (a connect in flight, a timer, a TLS handshake) takes the token: while it is
// suspended it is registered with the token, and it leaves when it resumes. cancel() makes each
// registered wait end early with -ECANCELED; a wait that starts after cancel() does not wait at
// all. Cancelling never frees anything: a cancelled I/O operation still waits for its CQE (the
// reactor's rule), the caller merely gets -ECANCELED sooner.
#pragma once

#include <utility>

namespace ringress::core {

class CancelToken;

// Something a token (or a TaskScope) can cancel: an intrusive list node that leaves the list
// when destroyed. cancel() is called at most once per registration, after the node left.
class Cancellable {
 public:
  Cancellable() = default;
  Cancellable(const Cancellable&) = delete;
  Cancellable& operator=(const Cancellable&) = delete;
  virtual void cancel() = 0;
  // Leaves the token or scope it was added to (if any), without being cancelled.
  void leave_scope() { unlink(); }
  bool registered() const { return owner_ != nullptr; }

 protected:
  ~Cancellable() { unlink(); }

 private:
  friend class CancelToken;
  void unlink();
  Cancellable* prev_ = nullptr;
  Cancellable* next_ = nullptr;
  CancelToken* owner_ = nullptr;
};

class CancelToken {
 public:
  CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;
  ~CancelToken();

  // Cancels every registered Cancellable (each leaves before its cancel() runs, so cancel()
  // may register or unlink others); later registrations are cancelled at once. Idempotent.
  void cancel();
  bool cancelled() const { return cancelled_; }
  // Registers `c` (leaving any token it was in). Already cancelled: calls c.cancel() now.
  void add(Cancellable& c);

 private:
  friend class Cancellable;
  Cancellable* head_ = nullptr;
  bool cancelled_ = false;
};

// Runs `fn` if `token` is cancelled while this object lives (RAII, like std::stop_callback);
// a null token never cancels. For waits whose way to stop is a call, e.g. cancelling the stream
// a TLS handshake runs on.
template <typename Fn>
class CancelCallback final : public Cancellable {
 public:
  CancelCallback(CancelToken* token, Fn fn) : fn_(std::move(fn)) {
    if (token) token->add(*this);
  }
  void cancel() override { fn_(); }

 private:
  Fn fn_;
};

}  // namespace ringress::core
