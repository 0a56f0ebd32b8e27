// Points to registers (docs/protocols.md, "What the inverter driver does with it"): consecutive
// points in one FC16 request, stored settings read first and written on change only, every
// write read back and compared within half a step.
#include "profile_inverter_driver_impl.hpp"

#include <chrono>
#include <cmath>
#include <utility>

#include <bessd/inverter/registers/register_codec.hpp>

namespace bessd::inverter {

void ProfileInverterDriver::Impl::write_all(std::vector<PointWrite> writes,
                                            const std::function<void(Status)>& done,
                                            std::size_t index) {
  if (index >= writes.size()) return done(Status{});
  // Merge the following writes while they continue the same register run, so that points
  // which belong together (SunSpec OutWRte + InWRte) change in one FC16 request.
  // A block (docs/profiles.md "Blocks") is a request of its own, never split: the planner
  // lists its points side by side, and one that fails to encode fails the whole block. A
  // stored block is read and compared whole, like a stored point.
  std::vector<EncodedWrite> items;
  Registers regs;
  PointAddress at{};
  bool persistent = false;
  bool single = false;  // FC06: one point, one register, one request
  const WriteBlock* block = nullptr;
  std::size_t i = index;
  for (; i < writes.size(); ++i) {
    const PointWrite& w = writes[i];
    const PointSpec* p = profile.point(w.point);
    const PointAddress* loc = layout.find(w.point);
    const WriteBlock* in_block = profile.block_of(w.point);
    if (!items.empty() && in_block != block) break;
    if (p == nullptr || loc == nullptr) {
      if (items.empty() || block != nullptr)
        return done(fail(ErrorCode::unsupported, "point " + w.point + " is not on this device"));
      break;
    }
    auto enc = values.encode(*p, w.value);
    if (!enc) {
      if (items.empty() || block != nullptr) return done(Status{Failure{enc.error()}});
      break;
    }
    if (!items.empty()) {
      const bool mergeable = block != nullptr || (!persistent && !p->persistent && !single &&
                                                  p->write_function != WriteFunction::fc06);
      const bool continues = mergeable && loc->unit == at.unit && loc->function == at.function &&
                             loc->address == at.address + regs.size() &&
                             regs.size() + enc->size() <= modbus::kMaxWriteRegisters;
      if (!continues) {
        if (block != nullptr)
          return done(fail(ErrorCode::unsupported,
                           "block " + block->pointer + " does not fit one request here"));
        break;
      }
    } else {
      at = *loc;
      persistent = p->persistent;
      single = p->write_function == WriteFunction::fc06;
      block = in_block;
    }
    items.push_back({w.point, w.value, regs.size(), enc->size()});
    regs.insert(regs.end(), enc->begin(), enc->end());
    if ((persistent && block == nullptr) || single) {
      ++i;
      break;
    }
  }
  auto next = [this, writes, done, i](const Status& st) {
    if (!st) return done(st);
    write_all(writes, done, i);
  };
  if (persistent) {
    // Stored setting: read first, write only on change (flash wear, VRM logging).
    read_block(at.unit, at.function, at.address, static_cast<std::uint16_t>(regs.size()),
               guard([this, at, regs, items, next, single](auto current, Result<Registers> r) {
                 if (!current) return next(fail(ErrorCode::disconnected, "link changed"));
                 if (r && *r == regs) return next(Status{});
                 write_and_verify(at, regs, items, next, single);
               }));
    return;
  }
  write_and_verify(at, regs, items, next, single);
}

Status ProfileInverterDriver::Impl::spend_budget(const std::vector<EncodedWrite>& items) {
  const TimePoint now = clock.now();
  for (const auto& item : items) {
    if (budget.allows(item.name, now)) continue;
    const auto budget_per_day = *profile.point(item.name)->write_budget_per_day;
    const auto room = budget.room_again_at(item.name, now);
    const long minutes =
        room ? static_cast<long>(std::chrono::ceil<std::chrono::minutes>(*room - now).count()) : 0;
    const std::string what = "point " + item.name + " (stored in EEPROM or flash) was written " +
                             std::to_string(budget.used(item.name, now)) +
                             " times in 24 h, its write budget is " +
                             std::to_string(budget_per_day) + " a day";
    const std::map<std::string, std::string> fields{
        {"point", item.name}, {"budget_per_day", std::to_string(budget_per_day)}};
    // The safe state is written whatever the budget, but only up to the budget once more: a
    // value the device does not keep (a mode it refuses) would else be written every retry.
    if (budget_exempt && budget.used(item.name, now) < 2 * std::size_t{budget_per_day}) {
      condition("inverter.write_budget", true, Severity::warning,
                what + ": the safe state is written anyway", fields);
      continue;
    }
    if (budget_exempt) {
      // Said once (the budget's condition is raised already), not at every retry.
      if (!std::exchange(safe_state_budget_spent, true))
        emit(Severity::error, EventEdge::once, "inverter.write_budget",
             what +
                 ": the device does not keep what is written, and not even the safe state is "
                 "written to it while its writes in 24 h are twice its budget",
             fields);
      return fail(ErrorCode::unsupported, what);  // a failed safe state: retried, refused again
    }
    condition("inverter.write_budget", true, Severity::warning,
              what + ": the battery is held in the safe state, and commands wait another " +
                  std::to_string(minutes) + " min",
              fields);
    budget_refused = true;
    return fail(ErrorCode::unsupported, what);
  }
  bool budgeted = false;
  for (const auto& item : items) {
    budget.record(item.name, now);
    budgeted = budgeted || profile.point(item.name)->write_budget_per_day.has_value();
  }
  if (budgeted && !budget_exempt) {
    condition("inverter.write_budget", false, Severity::warning, "write budgets have room again");
    safe_state_budget_spent = false;
  }
  return Status{};
}

void ProfileInverterDriver::Impl::write_and_verify(PointAddress at, const Registers& regs,
                                                   const std::vector<EncodedWrite>& items,
                                                   const std::function<void(Status)>& done,
                                                   bool single) {
  if (auto spent = spend_budget(items); !spent) return done(spent);
  auto verify = guard([this, at, regs, items, done](auto current, const Status& s) {
    if (!current) return done(fail(ErrorCode::disconnected, "link changed"));
    if (!s) return done(s);
    if (reaction_in_flight)
      safety_reactions.record(clock.now() - *std::exchange(reaction_in_flight, std::nullopt));
    // Read back the way the profile reads the point: a device that takes a write to a holding
    // register may show it only among its input registers (a Fox ESS H1 over RS485).
    read_block(
        at.unit, at.function, at.address, static_cast<std::uint16_t>(regs.size()),
        guard([this, items, done](auto cur, Result<Registers> r) {
          if (!cur) return done(fail(ErrorCode::disconnected, "link changed"));
          if (!r) return done(Status{Failure{r.error()}});
          for (const auto& item : items) {
            const std::string& name = item.name;
            const PointSpec& spec = *profile.point(name);
            values.store(name, Registers(r->begin() + static_cast<long>(item.offset),
                                         r->begin() + static_cast<long>(item.offset + item.count)));
            const auto got = values.value_of(name);
            const auto sf = values.scale_factor_of(spec);
            const double tol = registers::resolution(spec.scale, sf.value_or(0)) / 2.0 + 1e-9;
            if (!got || std::fabs(*got - item.value) > tol) {
              const std::string read = got ? std::to_string(*got) : "nothing";
              condition("inverter.readback_mismatch", true, Severity::error,
                        "read-back of " + name + " differs: wrote " +
                            std::to_string(item.value).append(", read ").append(read),
                        {{"point", name}, {"written", std::to_string(item.value)}, {"read", read}});
              return done(fail(ErrorCode::readback_mismatch, "read-back mismatch on " + name));
            }
          }
          done(Status{});
        }));
  });
  if (single)
    client.write_register(at.unit, at.address, regs.front(), std::move(verify));
  else
    client.write_registers(at.unit, at.address, regs, std::move(verify));
}

}  // namespace bessd::inverter
