// core::Channel: messages sent from other threads reach the receiver's reactor in order, in
// batches, and a receive loop ends on its token after handing over what was queued.
#include "core/channel.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/reactor.h"
#include "core/task_scope.h"

namespace ringress::core {
namespace {

struct Message {
  int sender = 0;
  int seq = 0;
  std::vector<int> payload;  // a value type that owns memory
};

TEST(Channel, MessagesFromThreadsArriveInOrderPerSender) {
  Reactor reactor;
  Channel<Message> channel;
  constexpr int kSenders = 3;
  constexpr int kEach = 2000;
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&channel, s] {
      for (int i = 0; i < kEach; ++i) channel.send({s, i, {s, i}});
    });
  }
  std::vector<int> next(kSenders, 0);
  int received = 0, batches = 0;
  bool in_order = true;
  CancelToken done;
  auto on_batch = [&](std::span<Message> batch) {
    ++batches;
    for (Message& m : batch) {
      in_order =
          in_order && m.seq == next[m.sender] && m.payload == std::vector<int>{m.sender, m.seq};
      next[m.sender] = m.seq + 1;
      ++received;
    }
    if (received == kSenders * kEach) done.cancel();
  };
  reactor.run(channel.receive(on_batch, done));
  for (auto& t : senders) t.join();
  EXPECT_TRUE(in_order);
  EXPECT_EQ(received, kSenders * kEach);
  for (int s = 0; s < kSenders; ++s) EXPECT_EQ(next[s], kEach);
  EXPECT_LE(batches, received);
}

TEST(Channel, SendsBeforeTheReceiverWakesItOnceAndArriveAsOneBatch) {
  Reactor reactor;
  Channel<Message> channel;
  std::thread sender([&channel] {
    for (int i = 0; i < 100; ++i) channel.send({0, i, {}});
  });
  sender.join();  // all queued before the receiver looks
  std::vector<std::size_t> batch_sizes;
  CancelToken done;
  auto on_batch = [&](std::span<Message> batch) {
    batch_sizes.push_back(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) EXPECT_EQ(batch[i].seq, static_cast<int>(i));
    done.cancel();
  };
  reactor.run(channel.receive(on_batch, done));
  ASSERT_EQ(batch_sizes.size(), 1u);
  EXPECT_EQ(batch_sizes[0], 100u);
}

TEST(Channel, CancellingTheReceiverHandsOverWhatIsQueued) {
  Reactor reactor;
  Channel<int> channel;
  CancelToken stop;
  std::vector<int> got;
  auto main = [&]() -> Task<void> {
    auto on_batch = [&](std::span<int> batch) {
      got.insert(got.end(), batch.begin(), batch.end());
    };
    TaskScope scope;
    scope.spawn(channel.receive(on_batch, stop));
    co_await Yield{};
    channel.send(1);  // same thread: queued; the wake is still in flight when stop comes
    channel.send(2);
    stop.cancel();
    co_await scope.join();
  };
  reactor.run(main());
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace ringress::core
