// SunSpec discovery (docs/protocols.md, "SunSpec inverters"): the marker at one of the base
// addresses, then the model chain.
#include "profile_inverter_driver_impl.hpp"

namespace bessd::inverter {

void ProfileInverterDriver::Impl::discover(const std::function<void(bool)>& done,
                                           std::size_t base_index) {
  using registers::sunspec::kBaseAddresses;
  if (base_index >= kBaseAddresses.size()) {
    emit(Severity::error, EventEdge::once, "inverter.discovery_failed",
         "SunSpec marker \"SunS\" not found at 40000, 0 or 50000 (" + client.describe() + ")");
    done(false);
    return;
  }
  const std::uint16_t base = kBaseAddresses[base_index];
  client.read_holding(options.unit_id, base, 2,
                      guard([this, done, base, base_index](auto current, Result<Registers> r) {
                        if (!current) return done(false);
                        if (r && registers::sunspec::is_marker(*r)) {
                          models = {};
                          walk(done, base + 2u);
                          return;
                        }
                        if (!r && r.error().code == ErrorCode::disconnected) return done(false);
                        discover(done, base_index + 1);
                      }));
}

void ProfileInverterDriver::Impl::walk(const std::function<void(bool)>& done,
                                       std::uint32_t address) {
  if (models.size() >= registers::sunspec::kMaxModels || address > 0xFFFEu) {
    emit(Severity::error, EventEdge::once, "inverter.discovery_failed",
         "SunSpec model chain too long or past the register space at " + std::to_string(address));
    return done(false);
  }
  client.read_holding(options.unit_id, static_cast<std::uint16_t>(address), 2,
                      guard([this, done, address](auto current, Result<Registers> r) {
                        if (!current) return done(false);
                        if (!r) {
                          emit(Severity::error, EventEdge::once, "inverter.discovery_failed",
                               "SunSpec chain walk failed: " + r.error().message);
                          return done(false);
                        }
                        // Some devices end with ID 0xFFFF and no valid L: the ID alone ends the
                        // chain.
                        const registers::sunspec::ModelHeader h{
                            (*r)[0], (*r)[0] == 0xFFFF ? std::uint16_t{0} : (*r)[1]};
                        auto next = registers::sunspec::next_model_address(address, h);
                        if (!next) {
                          emit(Severity::error, EventEdge::once, "inverter.discovery_failed",
                               next.error().message);
                          return done(false);
                        }
                        if (!next->has_value()) return done(true);
                        models.add(static_cast<std::uint16_t>(address), h);
                        walk(done, **next);
                      }));
}

}  // namespace bessd::inverter
