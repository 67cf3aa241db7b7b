// UpstreamCluster: what one worker holds for one cluster: its host picker and connection pool.
#pragma once

#include "conf/config.h"
#include "lb/connection_pool.h"
#include "lb/hosts.h"
#include "lb/round_robin.h"

namespace ringress::lb {

struct UpstreamCluster {
  UpstreamCluster(const conf::Cluster& c, core::BufferPool& buffers, uint32_t connection_buffer)
      : config(c), picker(hosts_of(c)), pool(c, hosts_of(c), buffers, connection_buffer) {}
  const conf::Cluster& config;
  RoundRobin picker;
  ConnectionPool pool;
};

}  // namespace ringress::lb
