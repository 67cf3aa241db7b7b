// HealthCheck: a cluster's active health check (the `health_check` table), as lb/health_checker.h
// runs it: every `interval` (plus up to `interval_jitter_percent` more, at random) each host gets
// one probe, an HTTP request or a TCP connect with optional send/expect, that must succeed within
// `timeout`. A host changes verdict only after `unhealthy_threshold` failed probes in a row, or
// `healthy_threshold` passed ones; while it is unhealthy it is probed every `unhealthy_interval`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "conf/units.h"

namespace ringress::conf {

class Value;

// Statuses first..last, inclusive.
struct StatusRange {
  uint16_t first = 200;
  uint16_t last = 200;
  friend bool operator==(const StatusRange&, const StatusRange&) = default;
};

struct HealthCheck {
  enum class Kind : uint8_t { http, tcp };

  Kind kind = Kind::http;
  Duration interval{5000};
  Duration timeout{1000};                 // the whole probe: connect, TLS, request and reply
  uint32_t interval_jitter_percent = 10;  // each wait is interval + up to this % of it
  Duration unhealthy_interval{5000};      // the interval while a host is unhealthy
  uint32_t healthy_threshold = 2;         // passes in a row that make an unhealthy host healthy
  uint32_t unhealthy_threshold = 3;       // failures in a row that make a healthy host unhealthy

  // http
  std::string path;            // required for http: "/healthz"
  std::string method = "GET";  // "GET" or "HEAD"
  std::string host;            // the Host header; empty: the endpoint's name as written
  std::vector<StatusRange> expected_statuses = {StatusRange{}};  // default: 200 only
  std::string expected_body;  // a substring of the body's first 64 KiB; empty: not checked

  // tcp
  std::string send;    // bytes written after connecting (empty: none)
  std::string expect;  // bytes the reply must start with (empty: connecting is enough)

  bool accepts(uint16_t status) const {
    for (const StatusRange& r : expected_statuses)
      if (status >= r.first && status <= r.last) return true;
    return false;
  }
};

// The most of a response body that an http check reads looking for expected_body.
constexpr uint32_t kHealthCheckBodyLimit = 64 * 1024;

// Reads a cluster's health_check table (internal to conf/; clusters_section.cc calls it).
HealthCheck read_health_check(const Value& value);

}  // namespace ringress::conf
