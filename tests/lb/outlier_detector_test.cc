// OutlierDetector: each ejection rule, the max_ejection_percent cap, the ejection multiplier with
// its cap and decay, the success-rate statistics, and host-set changes. Time is a parameter,
// so every case is exact.
#include "lb/outlier_detector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace ringress::lb {
namespace {

using namespace std::chrono_literals;
using core::TimePoint;

const TimePoint t0 = TimePoint{} + 1000h;

std::vector<OutcomeReport> outcomes(std::size_t host, HostOutcome outcome, int n) {
  return std::vector<OutcomeReport>(n, OutcomeReport{host, outcome, 0});
}

// Feeds `n` outcomes one batch each; returns every change.
std::vector<EjectionChange> feed(OutlierDetector& d, std::size_t host, HostOutcome outcome, int n,
                                 TimePoint now) {
  std::vector<EjectionChange> all;
  for (int i = 0; i < n; ++i) {
    for (EjectionChange& c : d.record(outcomes(host, outcome, 1), now)) all.push_back(c);
  }
  return all;
}

OutlierDetector detector(std::size_t hosts, conf::OutlierDetection settings = {}) {
  OutlierDetector d(settings);
  d.set_host_count(hosts);
  return d;
}

void expect_ejection(const std::vector<EjectionChange>& changes, std::size_t host,
                     EjectionCause cause, const std::string& why, core::Duration duration) {
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].host, host);
  EXPECT_TRUE(changes[0].ejected);
  EXPECT_EQ(changes[0].cause, cause);
  EXPECT_EQ(changes[0].why, why);
  EXPECT_EQ(changes[0].duration, duration);
}

void expect_return(const std::vector<EjectionChange>& changes, std::size_t host) {
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].host, host);
  EXPECT_FALSE(changes[0].ejected);
  EXPECT_EQ(changes[0].cause, EjectionCause::time_elapsed);
  EXPECT_EQ(changes[0].why, "ejection time elapsed");
}

// --- Consecutive failures ---

TEST(OutlierDetector, DefaultsAreEnvoys) {
  conf::OutlierDetection s;
  EXPECT_EQ(s.consecutive_5xx, 5u);
  EXPECT_EQ(s.consecutive_gateway_failure, 5u);
  EXPECT_EQ(s.interval, 10s);
  EXPECT_EQ(s.base_ejection_time, 30s);
  EXPECT_EQ(s.max_ejection_time, 300s);
  EXPECT_EQ(s.max_ejection_percent, 10u);
  EXPECT_FALSE(s.success_rate);
  conf::SuccessRateSettings rate;
  EXPECT_EQ(rate.minimum_hosts, 5u);
  EXPECT_EQ(rate.request_volume, 100u);
  EXPECT_EQ(rate.stdev_factor, 1.9);
}

TEST(OutlierDetector, FiveConsecutive5xxEject) {
  OutlierDetector d = detector(10);
  EXPECT_TRUE(d.record(outcomes(2, HostOutcome::status_5xx, 4), t0).empty());
  EXPECT_FALSE(d.ejected(2));
  expect_ejection(d.record(outcomes(2, HostOutcome::status_5xx, 1), t0), 2,
                  EjectionCause::consecutive_5xx, "5 consecutive 5xx", 30s);
  EXPECT_TRUE(d.ejected(2));
  EXPECT_EQ(d.ejected_count(), 1u);
  EXPECT_EQ(d.stats().ejections_consecutive_5xx, 1u);
  EXPECT_EQ(d.stats().ejections(), 1u);
  // More failures of an ejected host change nothing.
  EXPECT_TRUE(d.record(outcomes(2, HostOutcome::status_5xx, 10), t0).empty());
  EXPECT_EQ(d.stats().ejections(), 1u);
}

TEST(OutlierDetector, ASuccessBreaksTheRun) {
  OutlierDetector d = detector(10);
  std::vector<OutcomeReport> batch = outcomes(1, HostOutcome::status_5xx, 4);
  batch.push_back({1, HostOutcome::success, 0});
  for (const OutcomeReport& r : outcomes(1, HostOutcome::gateway_failure, 4)) batch.push_back(r);
  EXPECT_TRUE(d.record(batch, t0).empty());
  // Other hosts' outcomes do not touch host 1's run.
  EXPECT_TRUE(d.record(outcomes(0, HostOutcome::success, 3), t0).empty());
  expect_ejection(d.record(outcomes(1, HostOutcome::status_5xx, 1), t0), 1,
                  EjectionCause::consecutive_5xx, "5 consecutive 5xx", 30s);
}

TEST(OutlierDetector, ConsecutiveGatewayFailuresEject) {
  conf::OutlierDetection s;
  s.consecutive_gateway_failure = 3;
  OutlierDetector d = detector(10, s);
  EXPECT_TRUE(d.record(outcomes(4, HostOutcome::gateway_failure, 2), t0).empty());
  expect_ejection(d.record(outcomes(4, HostOutcome::gateway_failure, 1), t0), 4,
                  EjectionCause::consecutive_gateway_failure, "3 consecutive gateway failures",
                  30s);
  EXPECT_EQ(d.stats().ejections_consecutive_gateway_failure, 1u);
  EXPECT_EQ(d.stats().ejections_consecutive_5xx, 0u);
}

TEST(OutlierDetector, BothThresholdsReachedTogetherNameTheGatewayFailures) {
  OutlierDetector d = detector(10);
  expect_ejection(feed(d, 0, HostOutcome::gateway_failure, 5, t0), 0,
                  EjectionCause::consecutive_gateway_failure, "5 consecutive gateway failures",
                  30s);
}

TEST(OutlierDetector, APlain5xxBreaksAGatewayRunButExtendsThe5xxRun) {
  OutlierDetector d = detector(10);
  EXPECT_TRUE(feed(d, 3, HostOutcome::gateway_failure, 4, t0).empty());
  expect_ejection(feed(d, 3, HostOutcome::status_5xx, 1, t0), 3, EjectionCause::consecutive_5xx,
                  "5 consecutive 5xx", 30s);
}

TEST(OutlierDetector, LocalOriginFailuresCountAs5xxAndLeaveTheGatewayRunAlone) {
  conf::OutlierDetection s;
  s.consecutive_5xx = 10;
  s.consecutive_gateway_failure = 4;
  OutlierDetector d = detector(10, s);
  EXPECT_TRUE(feed(d, 5, HostOutcome::gateway_failure, 2, t0).empty());
  EXPECT_TRUE(feed(d, 5, HostOutcome::local_origin_failure, 1, t0).empty());
  expect_ejection(feed(d, 5, HostOutcome::gateway_failure, 2, t0), 5,
                  EjectionCause::consecutive_gateway_failure, "4 consecutive gateway failures",
                  30s);
  OutlierDetector local = detector(10, s);
  EXPECT_TRUE(feed(local, 1, HostOutcome::local_origin_failure, 9, t0).empty());
  expect_ejection(feed(local, 1, HostOutcome::local_origin_failure, 1, t0), 1,
                  EjectionCause::consecutive_5xx, "10 consecutive 5xx", 30s);
}

TEST(OutlierDetector, ThresholdZeroTurnsARuleOff) {
  conf::OutlierDetection s;
  s.consecutive_5xx = 0;
  s.consecutive_gateway_failure = 0;
  OutlierDetector d = detector(10, s);
  EXPECT_TRUE(d.record(outcomes(0, HostOutcome::status_5xx, 100), t0).empty());
  EXPECT_TRUE(d.record(outcomes(0, HostOutcome::gateway_failure, 100), t0).empty());
  s.consecutive_5xx = 5;
  OutlierDetector only_5xx = detector(10, s);
  expect_ejection(only_5xx.record(outcomes(0, HostOutcome::gateway_failure, 5), t0), 0,
                  EjectionCause::consecutive_5xx, "5 consecutive 5xx", 30s);
}

TEST(OutlierDetector, ReportsPastTheHostCountAreIgnored) {
  OutlierDetector d = detector(2);
  EXPECT_TRUE(d.record(outcomes(2, HostOutcome::status_5xx, 50), t0).empty());
  EXPECT_EQ(d.ejected_count(), 0u);
}

// --- Ejection time, return, multiplier ---

TEST(OutlierDetector, AHostReturnsWhenItsEjectionTimeElapsed) {
  OutlierDetector d = detector(10);
  feed(d, 7, HostOutcome::status_5xx, 5, t0);
  ASSERT_TRUE(d.ejected(7));
  EXPECT_EQ(d.next_deadline(), t0 + 10s);  // the first sweep comes first
  EXPECT_TRUE(d.tick(t0 + 10s).empty());
  EXPECT_EQ(d.next_deadline(), t0 + 20s);
  EXPECT_TRUE(d.tick(t0 + 29999ms).empty());
  EXPECT_TRUE(d.ejected(7));
  EXPECT_EQ(d.next_deadline(), t0 + 30s);
  expect_return(d.tick(t0 + 30s), 7);
  EXPECT_FALSE(d.ejected(7));
  EXPECT_EQ(d.ejected_count(), 0u);
  EXPECT_EQ(d.stats().returns, 1u);
  // Its run starts again from zero: four failures are not enough.
  EXPECT_TRUE(feed(d, 7, HostOutcome::status_5xx, 4, t0 + 31s).empty());
}

TEST(OutlierDetector, EachEjectionLastsLongerUpToMaxEjectionTime) {
  conf::OutlierDetection s;
  s.max_ejection_time = 100s;
  OutlierDetector d = detector(10, s);
  TimePoint now = t0;
  const core::Duration expected[] = {30s, 60s, 90s, 100s, 100s};
  for (core::Duration duration : expected) {
    std::vector<EjectionChange> ejected = feed(d, 0, HostOutcome::status_5xx, 5, now);
    ASSERT_EQ(ejected.size(), 1u);
    EXPECT_EQ(ejected[0].duration, duration);
    EXPECT_TRUE(d.tick(now + duration - 1ms).empty());
    EXPECT_TRUE(d.ejected(0));
    now += duration;
    std::vector<EjectionChange> changes = d.tick(now);
    ASSERT_FALSE(changes.empty());
    EXPECT_FALSE(changes.back().ejected);
    EXPECT_FALSE(d.ejected(0));
  }
  EXPECT_EQ(d.multiplier(0), 4u);  // 4 x 30s reached the cap; it grows no further
}

TEST(OutlierDetector, TheMultiplierDecaysOncePerHealthyInterval) {
  OutlierDetector d = detector(10);
  EXPECT_TRUE(d.tick(t0).empty());                  // the schedule: sweeps at t0 + 10s, 20s, ...
  feed(d, 0, HostOutcome::status_5xx, 5, t0 + 1s);  // 30s, until 31s
  expect_return(d.tick(t0 + 31s), 0);
  feed(d, 0, HostOutcome::status_5xx, 5, t0 + 32s);  // 60s, until 92s
  expect_return(d.tick(t0 + 92s), 0);
  feed(d, 0, HostOutcome::status_5xx, 5, t0 + 93s);  // 90s, until 183s
  EXPECT_EQ(d.multiplier(0), 3u);
  // Ejected hosts do not decay.
  EXPECT_TRUE(d.tick(t0 + 100s).empty());
  EXPECT_EQ(d.multiplier(0), 3u);
  expect_return(d.tick(t0 + 183s), 0);
  // The sweep at 190s is less than an interval after the return: no decay yet.
  EXPECT_TRUE(d.tick(t0 + 190s).empty());
  EXPECT_EQ(d.multiplier(0), 3u);
  EXPECT_TRUE(d.tick(t0 + 200s).empty());
  EXPECT_EQ(d.multiplier(0), 2u);
  // A tick between sweeps does not decay.
  EXPECT_TRUE(d.tick(t0 + 205s).empty());
  EXPECT_EQ(d.multiplier(0), 2u);
  EXPECT_TRUE(d.tick(t0 + 210s).empty());
  EXPECT_EQ(d.multiplier(0), 1u);
  // Ejected again now: 2 x 30s (the multiplier was 1).
  expect_ejection(feed(d, 0, HostOutcome::status_5xx, 5, t0 + 211s), 0,
                  EjectionCause::consecutive_5xx, "5 consecutive 5xx", 60s);
  expect_return(d.tick(t0 + 271s), 0);
  for (int sweep = 280; sweep <= 300; sweep += 10) d.tick(t0 + std::chrono::seconds(sweep));
  EXPECT_EQ(d.multiplier(0), 0u);
  EXPECT_TRUE(d.tick(t0 + 310s).empty());
  EXPECT_EQ(d.multiplier(0), 0u);  // never below zero
  expect_ejection(feed(d, 0, HostOutcome::status_5xx, 5, t0 + 311s), 0,
                  EjectionCause::consecutive_5xx, "5 consecutive 5xx", 30s);
}

TEST(OutlierDetector, ALateTickRunsOneSweepAndKeepsTheGrid) {
  OutlierDetector d = detector(10);
  d.tick(t0);
  d.record(outcomes(0, HostOutcome::success, 1), t0 + 1s);
  EXPECT_TRUE(d.tick(t0 + 35s).empty());  // sweeps at 10, 20, 30 were due: one runs
  EXPECT_EQ(d.next_deadline(), t0 + 40s);
}

TEST(OutlierDetector, NextDeadlineIsTheEarliestEjectionEnd) {
  conf::OutlierDetection s;
  s.interval = 60s;
  s.max_ejection_percent = 50;
  OutlierDetector d = detector(10, s);
  EXPECT_EQ(d.next_deadline(), std::nullopt);
  d.tick(t0);
  EXPECT_EQ(d.next_deadline(), t0 + 60s);
  feed(d, 3, HostOutcome::status_5xx, 5, t0 + 5s);
  feed(d, 4, HostOutcome::status_5xx, 5, t0 + 2s);
  EXPECT_EQ(d.next_deadline(), t0 + 32s);
  std::vector<EjectionChange> back = d.tick(t0 + 35s);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].host, 3u);
  EXPECT_EQ(back[1].host, 4u);
}

// --- max_ejection_percent ---

TEST(OutlierDetector, NoMoreThanMaxEjectionPercent) {
  OutlierDetector d = detector(20);  // 10% of 20: two hosts
  feed(d, 0, HostOutcome::status_5xx, 5, t0);
  feed(d, 1, HostOutcome::status_5xx, 5, t0);
  EXPECT_EQ(d.ejected_count(), 2u);
  EXPECT_TRUE(feed(d, 2, HostOutcome::status_5xx, 5, t0).empty());
  EXPECT_FALSE(d.ejected(2));
  EXPECT_EQ(d.stats().ejections_refused, 1u);
  // When one returns, the next failure of the refused host ejects it.
  std::vector<EjectionChange> back = d.tick(t0 + 30s);
  EXPECT_EQ(back.size(), 2u);
  expect_ejection(feed(d, 2, HostOutcome::status_5xx, 1, t0 + 30s), 2,
                  EjectionCause::consecutive_5xx, "6 consecutive 5xx", 30s);
}

TEST(OutlierDetector, OneHostMayAlwaysBeEjected) {
  OutlierDetector d = detector(5);  // 10% of 5 is under one host
  expect_ejection(feed(d, 0, HostOutcome::status_5xx, 5, t0), 0, EjectionCause::consecutive_5xx,
                  "5 consecutive 5xx", 30s);
  EXPECT_TRUE(feed(d, 1, HostOutcome::status_5xx, 5, t0).empty());
  EXPECT_EQ(d.stats().ejections_refused, 1u);
  conf::OutlierDetection none;
  none.max_ejection_percent = 0;
  OutlierDetector zero = detector(5, none);
  EXPECT_EQ(feed(zero, 4, HostOutcome::status_5xx, 5, t0).size(), 1u);
  EXPECT_TRUE(feed(zero, 3, HostOutcome::status_5xx, 5, t0).empty());
}

TEST(OutlierDetector, NeverEveryHost) {
  conf::OutlierDetection all;
  all.max_ejection_percent = 100;
  OutlierDetector single = detector(1, all);
  EXPECT_TRUE(feed(single, 0, HostOutcome::status_5xx, 50, t0).empty());
  EXPECT_FALSE(single.ejected(0));
  EXPECT_EQ(single.stats().ejections_refused, 46u);  // every failure from the fifth
  OutlierDetector pair = detector(2, all);
  EXPECT_EQ(feed(pair, 0, HostOutcome::status_5xx, 5, t0).size(), 1u);
  EXPECT_TRUE(feed(pair, 1, HostOutcome::status_5xx, 5, t0).empty());
  EXPECT_FALSE(pair.ejected(1));
  OutlierDetector five = detector(5, all);
  for (std::size_t host = 0; host < 5; ++host) feed(five, host, HostOutcome::status_5xx, 5, t0);
  EXPECT_EQ(five.ejected_count(), 4u);
}

// --- Success rate ---

conf::OutlierDetection with_success_rate() {
  conf::OutlierDetection s;
  s.success_rate = conf::SuccessRateSettings{};
  s.max_ejection_percent = 50;
  return s;
}

// `successes` of `total` outcomes for `host`, the failures spread evenly so that (with at most
// as many failures as successes) no run of them reaches a consecutive threshold.
void serve(OutlierDetector& d, std::size_t host, int successes, int total, TimePoint now) {
  std::vector<OutcomeReport> batch;
  int failures = total - successes;
  for (int i = 0; i < total; ++i) {
    bool fail = (i + 1) * failures / total != i * failures / total;
    batch.push_back({host, fail ? HostOutcome::status_5xx : HostOutcome::success, 0});
  }
  ASSERT_TRUE(d.record(batch, now).empty());
}

TEST(OutlierDetector, SuccessRateBelowMeanMinusStdevFactorTimesStdevEjects) {
  OutlierDetector d = detector(5, with_success_rate());
  d.tick(t0);
  for (std::size_t host = 0; host < 4; ++host) serve(d, host, 99, 100, t0 + 1s);
  serve(d, 4, 50, 100, t0 + 1s);
  // Rates 99, 99, 99, 99, 50: mean 89.2, stdev 19.6, threshold 89.2 - 1.9 x 19.6 = 51.96.
  expect_ejection(d.tick(t0 + 10s), 4, EjectionCause::success_rate,
                  "success rate 50% below 52% threshold", 30s);
  EXPECT_EQ(d.stats().ejections_success_rate, 1u);
}

TEST(OutlierDetector, SuccessRateAboveTheThresholdStays) {
  OutlierDetector d = detector(5, with_success_rate());
  d.tick(t0);
  for (std::size_t host = 0; host < 4; ++host) serve(d, host, 99, 100, t0 + 1s);
  serve(d, 4, 53, 100, t0 + 1s);  // threshold 89.8 - 1.9 x 18.4 = 54.84: 53 is out
  EXPECT_EQ(d.tick(t0 + 10s).size(), 1u);
  OutlierDetector close = detector(5, with_success_rate());
  close.tick(t0);
  for (std::size_t host = 0; host < 4; ++host) serve(close, host, 99, 100, t0 + 1s);
  serve(close, 4, 60, 100, t0 + 1s);  // threshold 91.2 - 1.9 x 15.6 = 61.56: 60 is out
  EXPECT_EQ(close.tick(t0 + 10s).size(), 1u);
  // A wider spread among the others raises the stdev: 60 is no longer an outlier.
  OutlierDetector spread = detector(5, with_success_rate());
  spread.tick(t0);
  serve(spread, 0, 100, 100, t0 + 1s);
  serve(spread, 1, 70, 100, t0 + 1s);
  serve(spread, 2, 100, 100, t0 + 1s);
  serve(spread, 3, 75, 100, t0 + 1s);
  serve(spread, 4, 60, 100, t0 + 1s);  // mean 81, stdev 16.25, threshold 50.13
  EXPECT_TRUE(spread.tick(t0 + 10s).empty());
}

TEST(OutlierDetector, EqualSuccessRatesEjectNobody) {
  conf::OutlierDetection s = with_success_rate();
  s.success_rate->stdev_factor = 0;
  OutlierDetector d = detector(6, s);
  d.tick(t0);
  for (std::size_t host = 0; host < 6; ++host) serve(d, host, 97, 100, t0 + 1s);
  EXPECT_TRUE(d.tick(t0 + 10s).empty());
}

TEST(OutlierDetector, SuccessRateNeedsRequestVolumeAndMinimumHosts) {
  OutlierDetector d = detector(5, with_success_rate());
  d.tick(t0);
  for (std::size_t host = 0; host < 4; ++host) serve(d, host, 99, 100, t0 + 1s);
  serve(d, 4, 50, 99, t0 + 1s);  // one request short of the volume: only four hosts count
  EXPECT_TRUE(d.tick(t0 + 10s).empty());
  conf::OutlierDetection s = with_success_rate();
  s.success_rate->minimum_hosts = 3;
  s.success_rate->request_volume = 10;
  OutlierDetector three = detector(5, s);
  three.tick(t0);
  serve(three, 0, 10, 10, t0 + 1s);
  serve(three, 1, 10, 10, t0 + 1s);
  serve(three, 2, 10, 10, t0 + 1s);
  serve(three, 3, 10, 10, t0 + 1s);
  serve(three, 4, 4, 10, t0 + 1s);
  // 100 x4 and 40: mean 88, stdev 24, threshold 88 - 45.6 = 42.4.
  expect_ejection(three.tick(t0 + 10s), 4, EjectionCause::success_rate,
                  "success rate 40% below 42.4% threshold", 30s);
}

TEST(OutlierDetector, SuccessRateCountsOneIntervalAtATime) {
  OutlierDetector d = detector(5, with_success_rate());
  d.tick(t0);
  for (std::size_t host = 0; host < 4; ++host) serve(d, host, 99, 100, t0 + 1s);
  serve(d, 4, 30, 60, t0 + 1s);
  EXPECT_TRUE(d.tick(t0 + 10s).empty());  // host 4 is under the volume in this interval
  serve(d, 4, 30, 60, t0 + 11s);          // 120 over two intervals, but 60 in this one
  for (std::size_t host = 0; host < 4; ++host) serve(d, host, 99, 100, t0 + 11s);
  EXPECT_TRUE(d.tick(t0 + 20s).empty());
}

TEST(OutlierDetector, SuccessRateEjectsTheWorstFirstWithinTheCap) {
  conf::OutlierDetection s = with_success_rate();
  s.max_ejection_percent = 10;
  OutlierDetector d = detector(10, s);
  d.tick(t0);
  for (std::size_t host = 0; host < 8; ++host) serve(d, host, 100, 100, t0 + 1s);
  serve(d, 8, 50, 100, t0 + 1s);
  serve(d, 9, 40, 100, t0 + 1s);
  // mean 89, stdev 22.11, threshold 46.98: host 9 (40%) only; host 8 (50%) is above it.
  std::vector<EjectionChange> changes = d.tick(t0 + 10s);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].host, 9u);
  EXPECT_EQ(changes[0].why, "success rate 40% below 47% threshold");
  // With a smaller factor both are outliers, the cap keeps one: the worst.
  conf::OutlierDetection tight = s;
  tight.success_rate->stdev_factor = 1;
  OutlierDetector capped = detector(10, tight);
  capped.tick(t0);
  for (std::size_t host = 0; host < 8; ++host) serve(capped, host, 100, 100, t0 + 1s);
  serve(capped, 8, 50, 100, t0 + 1s);
  serve(capped, 9, 40, 100, t0 + 1s);
  changes = capped.tick(t0 + 10s);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].host, 9u);
  EXPECT_EQ(capped.stats().ejections_refused, 1u);
}

TEST(OutlierDetector, EjectedHostsAreLeftOutOfTheSuccessRate) {
  OutlierDetector d = detector(6, with_success_rate());
  d.tick(t0);
  feed(d, 5, HostOutcome::status_5xx, 5, t0 + 1s);
  ASSERT_TRUE(d.ejected(5));
  serve(d, 5, 0, 200, t0 + 2s);  // panic traffic to the ejected host
  for (std::size_t host = 0; host < 5; ++host) serve(d, host, 95, 100, t0 + 2s);
  EXPECT_TRUE(d.tick(t0 + 10s).empty());
}

TEST(OutlierDetector, StatsInOneLine) {
  OutlierDetector d = detector(20);
  feed(d, 0, HostOutcome::status_5xx, 5, t0);
  feed(d, 1, HostOutcome::gateway_failure, 5, t0);
  feed(d, 2, HostOutcome::status_5xx, 5, t0);
  d.tick(t0 + 30s);
  EXPECT_EQ(describe(d.stats()),
            "2 ejections (1 consecutive 5xx, 1 consecutive gateway failures, 0 success rate), "
            "2 returns, 1 refused by max_ejection_percent");
}

TEST(OutlierDetector, PercentsShowOneDecimal) {
  EXPECT_EQ(format_percent(41), "41%");
  EXPECT_EQ(format_percent(87.34), "87.3%");
  EXPECT_EQ(format_percent(51.96), "52%");
  EXPECT_EQ(format_percent(0), "0%");
  EXPECT_EQ(format_percent(99.95), "100%");
}

// --- Host-set changes ---

TEST(OutlierDetector, ShrinkingForgetsRemovedHostsAndGrowingStartsFresh) {
  OutlierDetector d = detector(10);
  feed(d, 9, HostOutcome::status_5xx, 5, t0);
  feed(d, 0, HostOutcome::status_5xx, 4, t0);
  ASSERT_EQ(d.ejected_count(), 1u);
  d.set_host_count(5);
  EXPECT_EQ(d.host_count(), 5u);
  EXPECT_EQ(d.ejected_count(), 0u);
  EXPECT_TRUE(d.tick(t0 + 60s).empty());  // the removed host's ejection is gone, no return
  d.set_host_count(10);
  EXPECT_FALSE(d.ejected(9));
  EXPECT_EQ(d.multiplier(9), 0u);
  EXPECT_TRUE(feed(d, 9, HostOutcome::status_5xx, 4, t0 + 60s).empty());
  // Host 0 kept its run of four.
  EXPECT_EQ(feed(d, 0, HostOutcome::status_5xx, 1, t0 + 60s).size(), 1u);
}

TEST(OutlierDetector, ReindexMovesStateWithTheHost) {
  conf::OutlierDetection s;
  s.max_ejection_percent = 50;
  OutlierDetector d = detector(10, s);
  feed(d, 4, HostOutcome::status_5xx, 5, t0);
  feed(d, 6, HostOutcome::status_5xx, 3, t0);
  // Host 0 removed: everything moves down one; a new host at the end.
  std::vector<std::size_t> previous = {1, 2, 3, 4, 5, 6, 7, 8, 9, OutlierDetector::kNewHost};
  d.reindex(previous);
  EXPECT_EQ(d.host_count(), 10u);
  EXPECT_TRUE(d.ejected(3));
  EXPECT_FALSE(d.ejected(4));
  EXPECT_EQ(d.ejected_count(), 1u);
  EXPECT_EQ(d.multiplier(3), 1u);
  // Old host 6's run of three moved with it to index 5; the new host starts fresh.
  expect_ejection(feed(d, 5, HostOutcome::status_5xx, 2, t0), 5, EjectionCause::consecutive_5xx,
                  "5 consecutive 5xx", 30s);
  EXPECT_EQ(d.multiplier(9), 0u);
  EXPECT_TRUE(feed(d, 9, HostOutcome::status_5xx, 4, t0).empty());
}

TEST(OutlierDetector, SameInputsSameChanges) {
  auto run = [] {
    OutlierDetector d = detector(20, with_success_rate());
    std::vector<std::string> log;
    d.tick(t0);
    for (int round = 0; round < 30; ++round) {
      TimePoint now = t0 + std::chrono::seconds(round * 7);
      std::vector<OutcomeReport> batch;
      for (std::size_t host = 0; host < 20; ++host) {
        bool bad = (host * 7 + round) % 11 == 0 || host == 3;
        for (int i = 0; i < 20; ++i)
          batch.push_back({host, bad ? HostOutcome::gateway_failure : HostOutcome::success, 0});
      }
      for (EjectionChange& c : d.record(batch, now))
        log.push_back(std::to_string(c.host) + " " + c.why);
      for (EjectionChange& c : d.tick(now)) log.push_back(std::to_string(c.host) + " " + c.why);
    }
    return log;
  };
  std::vector<std::string> first = run();
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, run());
}

}  // namespace
}  // namespace ringress::lb
