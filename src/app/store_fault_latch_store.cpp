#include <bessd/app/store_fault_latch_store.hpp>

namespace bessd::app {

Result<std::vector<control::LatchedFault>> StoreFaultLatchStore::load() {
  auto stored = store_.load_latched_faults();
  if (!stored) return Failure{stored.error()};
  std::vector<control::LatchedFault> out;
  for (const auto& f : *stored) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(f.raised_at.time_since_epoch())
            .count();
    out.push_back(control::LatchedFault{f.code, f.message, ms});
  }
  return out;
}

Status StoreFaultLatchStore::latch(const control::LatchedFault& fault) {
  // The store's writer never drops fault records; the write itself is asynchronous, and a
  // failure surfaces as a storage event.
  storage::LatchedFault f;
  f.code = fault.id;
  f.message = fault.reason;
  f.severity = core::Severity::error;
  f.raised_at = WallTime{std::chrono::milliseconds{fault.raised_unix_ms}};
  store_.save_latched_fault(f);
  return {};
}

Status StoreFaultLatchStore::clear(std::string_view id) {
  store_.clear_latched_fault(std::string(id));
  return {};
}

}  // namespace bessd::app
