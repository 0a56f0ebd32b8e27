#pragma once
// Helpers shared by the storage tests: temp folders, bounded polling, sample builders.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <bessd/storage/sqlite_store.hpp>

namespace bessd::storage::test {

/// A fresh folder under $TMPDIR, removed at destruction.
class TempDir {
 public:
  explicit TempDir(std::filesystem::path base = std::filesystem::temp_directory_path()) {
    std::string tmpl = (base / "bessd-storage-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// Polls `pred` until true or the deadline passes (no sleeping for readiness).
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds limit = std::chrono::milliseconds{10'000}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::yield();
  }
  return pred();
}

inline bool flushed(Store& store, std::chrono::milliseconds limit = std::chrono::seconds{120}) {
  auto f = store.flush();
  return f.wait_for(limit) == std::future_status::ready && f.get();
}

/// 2023-11-14T22:13:20Z, a minute and quarter-hour boundary (1'700'000'000 s is not).
inline WallTime t0() {
  return WallTime{std::chrono::seconds{1'699'999'200}};
}

inline TelemetrySample sample_at(WallTime at, double power_w = 0.0) {
  TelemetrySample s;
  s.at = at;
  s.pack_voltage_v = 52.0;
  s.pack_current_a = power_w / 52.0;
  s.pack_power_w = power_w;
  s.soc_pct = 50.0;
  s.grid_power_w = 100.0;
  s.controller_state = "running";
  s.controller_mode = "self_consumption";
  return s;
}

inline core::Event event(std::string code, core::Severity sev = core::Severity::info) {
  core::Event e;
  e.severity = sev;
  e.source = "test";
  e.code = std::move(code);
  e.message = "message for " + e.code;
  e.fields = {{"k", "v"}};
  return e;
}

/// Collects store-internal events from the storage thread.
class EventLog {
 public:
  StoreEventSink sink() {
    return [this](const core::Event& e) {
      std::lock_guard lock(mutex_);
      events_.push_back(e);
    };
  }
  bool has(const std::string& code, core::EventEdge edge) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : events_)
      if (e.code == code && e.edge == edge) return true;
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<core::Event> events_;
};

inline SqliteStoreOptions options_for(const std::string& path) {
  SqliteStoreOptions o;
  o.config.path = path;
  o.config.queue_capacity = 1 << 20;  // tests that feed fast must not overflow (one test does)
  o.retry_initial = std::chrono::milliseconds{5};
  o.retry_max = std::chrono::milliseconds{50};
  return o;
}

}  // namespace bessd::storage::test
