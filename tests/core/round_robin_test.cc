#include "lb/round_robin.h"

#include <gtest/gtest.h>

namespace ringress::lb {
namespace {

std::vector<Host> hosts(std::initializer_list<uint32_t> weights) {
  std::vector<Host> out;
  uint16_t port = 1000;
  for (uint32_t w : weights) {
    out.push_back(
        {*core::SocketAddress::parse_numeric("127.0.0.1:" + std::to_string(port++)), w, "", "", ""});
  }
  return out;
}

TEST(RoundRobin, EqualWeightsRotate) {
  RoundRobin rr(hosts({1, 1, 1}));
  std::vector<std::size_t> picks;
  for (int i = 0; i < 6; ++i) picks.push_back(rr.pick());
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

TEST(RoundRobin, WeightsAreSmooth) {
  // nginx's smooth weighted round robin: weights 5,1,1 give a a b a c a a, not a a a a a b c.
  RoundRobin rr(hosts({5, 1, 1}));
  std::vector<std::size_t> picks;
  for (int i = 0; i < 7; ++i) picks.push_back(rr.pick());
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 0, 1, 0, 2, 0, 0}));
}

}  // namespace
}  // namespace ringress::lb
