// config_loader target: any text as a config file (conf::parse_config). The loader's contract
// (conf/config.h): a valid Config or a ConfigError naming the place; any other exception is a
// bug. A loaded Config must hold what the layers above rely on without checking again: cluster
// indices in range, endpoints resolved, weights that add up, a buffer count the pool accepts,
// the router last among the filters, and virtual hosts that RouteTable compiles.
// Host names resolve only when numeric (fuzz/offline_resolver.cc): no input reaches DNS.
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

#include "conf/config.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_targets.h"
#include "http/route_table.h"

namespace ringress::fuzz {
namespace {

void check_routes(const conf::Config& c, const conf::Listener& l) {
  for (const conf::VirtualHost& vh : l.http.virtual_hosts) {
    FUZZ_CHECK(!vh.domains.empty() && !vh.routes.empty(), "virtual host " + vh.name + " is empty");
    for (const conf::Route& r : vh.routes) {
      const int actions =
          !r.clusters.empty() + r.direct_response.has_value() + r.redirect.has_value();
      FUZZ_CHECK(actions == 1, "route " + r.name + " has " + std::to_string(actions) + " actions");
      uint64_t total = 0;
      for (const conf::WeightedCluster& wc : r.clusters) {
        FUZZ_CHECK(wc.cluster < c.clusters.size(),
                   "route " + r.name + " names cluster " + std::to_string(wc.cluster));
        total += wc.weight;
      }
      FUZZ_CHECK(r.clusters.empty() || total > 0, "route " + r.name + ": weights add up to 0");
    }
  }
  try {
    http::RouteTable table(l.http.virtual_hosts);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("a loaded config's routes do not compile: ") + e.what());
  }
}

void check(const conf::Config& c) {
  const uint32_t buffers = c.runtime.buffers_per_worker;
  FUZZ_CHECK(buffers > 0 && buffers <= 32768 && (buffers & (buffers - 1)) == 0,
             "buffers_per_worker " + std::to_string(buffers));
  FUZZ_CHECK(c.runtime.buffer_size > 0 && c.runtime.connection_buffer >= c.runtime.buffer_size,
             "buffer sizes");
  for (const conf::Cluster& cl : c.clusters) {
    FUZZ_CHECK(!cl.endpoints.empty(), "cluster " + cl.name + " has no endpoints");
    for (const conf::Endpoint& e : cl.endpoints)
      FUZZ_CHECK(!e.addresses.empty(), "endpoint " + e.text + " has no addresses");
  }
  for (const conf::Listener& l : c.listeners) {
    if (l.protocol == conf::Protocol::tcp) {
      FUZZ_CHECK(!l.has_cluster || l.cluster < c.clusters.size(),
                 "listener " + l.name + " names cluster " + std::to_string(l.cluster));
      for (const conf::SniRoute& s : l.sni_routes)
        FUZZ_CHECK(s.cluster < c.clusters.size(), "listener " + l.name + ": sni route cluster");
      FUZZ_CHECK(l.has_cluster || !l.sni_routes.empty(),
                 "listener " + l.name + " has neither a cluster nor sni_routes");
    } else {
      FUZZ_CHECK(!l.http.filters.empty() && l.http.filters.back().kind == conf::FilterKind::router,
                 "listener " + l.name + ": the router is not the last filter");
      check_routes(c, l);
    }
  }
}

}  // namespace

void config_loader(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    conf::Config config = conf::parse_config(text, "/nonexistent/fuzz.toml");
    check(config);
  } catch (const conf::ConfigError& e) {
    FUZZ_CHECK(e.file() == "/nonexistent/fuzz.toml", "ConfigError names file " + e.file());
    FUZZ_CHECK(!e.message().empty(), std::string("ConfigError without a message: ") + e.what());
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("parse_config threw ") + typeid(e).name() + ": " + e.what());
  }
}

}  // namespace ringress::fuzz
