// The wall clock stepping back while bessd runs (NTP correcting an RTC that ran ahead): the
// control loop and the telemetry log keep their pace, which runs on the steady clock. The step
// is made with libfaketime (Debian's faketime), which moves the wall clock of bessd alone.
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace {

using namespace std::chrono_literals;

constexpr const char* kFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

// A counter of GET /metrics; -1 when it cannot be read.
double metric(Site& site, const std::string& name) {
  const auto r =
      run({"/usr/bin/curl", "-sf", "--unix-socket", site.api_socket(), "http://localhost/metrics"});
  std::smatch m;
  if (std::regex_search(r.output, m, std::regex("\n" + name + " ([0-9.e+]+)")))
    return std::stod(m[1]);
  return -1;
}

TEST(ClockStep, TelemetryGoesOnWhenTheWallClockIsSetBackAnHour) {
#ifdef BESSD_SANITIZED
  GTEST_SKIP() << "libfaketime and the sanitizers' runtimes both want to come first";
#endif
  if (::access(kFaketime, R_OK) != 0) GTEST_SKIP() << "no libfaketime";
  Site site;
  const auto offset = site.dir() + "/faketime.rc";
  write_file(offset, "+0\n");
  ASSERT_TRUE(site.start_bessd(
      {}, {std::string("LD_PRELOAD=") + kFaketime, "FAKETIME_TIMESTAMP_FILE=" + offset,
           "FAKETIME_NO_CACHE=1", "DONT_FAKE_MONOTONIC=1"}))
      << site.bessd_output();
  ASSERT_TRUE(
      wait_until([&] { return metric(site, "bessd_storage_telemetry_written_total") >= 3; }, 15s))
      << site.bessd_output();
  write_file(offset, "-1h\n");
  std::this_thread::sleep_for(1s);  // the step is taken
  const double steps0 = metric(site, "bessd_control_steps_total");
  const double rows0 = metric(site, "bessd_storage_telemetry_written_total");
  std::this_thread::sleep_for(6s);
  const double steps1 = metric(site, "bessd_control_steps_total");
  const double rows1 = metric(site, "bessd_storage_telemetry_written_total");
  // storage.telemetry_period_s is 1 s: about six rows; with the period on the wall clock, none
  // until the clock had caught up an hour later.
  EXPECT_GE(rows1 - rows0, 4) << site.bessd_output();
  EXPECT_GE(steps1 - steps0, 20) << "control.period_ms 200";
  const auto status = site.api("GET", "/v1/status");
  EXPECT_EQ(status.status, 200);
}

}  // namespace
}  // namespace bessd::systest
