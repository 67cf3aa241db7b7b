#include "core/cancel_token.h"

namespace ringress::core {

CancelToken::~CancelToken() {
  while (head_) head_->unlink();
}

void CancelToken::add(Cancellable& c) {
  c.unlink();
  if (cancelled_) {
    c.cancel();
    return;
  }
  c.owner_ = this;
  c.next_ = head_;
  if (head_) head_->prev_ = &c;
  head_ = &c;
}

void CancelToken::cancel() {
  cancelled_ = true;
  while (Cancellable* c = head_) {
    c->unlink();
    c->cancel();
  }
}

void Cancellable::unlink() {
  if (!owner_) return;
  if (prev_)
    prev_->next_ = next_;
  else
    owner_->head_ = next_;
  if (next_) next_->prev_ = prev_;
  prev_ = next_ = nullptr;
  owner_ = nullptr;
}

}  // namespace ringress::core
