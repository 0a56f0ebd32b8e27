// Points to registers (docs/protocols.md, "What the inverter driver does with it"): consecutive
// points in one FC16 request, stored settings read first and written on change only, every
// write read back and compared within half a step.
#include "profile_inverter_driver_impl.hpp"

#include <algorithm>
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
    const PointAddress* loc = layout.find_written(w.point);
    const WriteBlock* in_block = profile.block_of(w.point);
    if (!items.empty() && (in_block != block || (block == nullptr && w.starts_request))) break;
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
    // Stored setting: read first, write only on change (flash wear, VRM logging). A failed read
    // writes: the value is then not known to be in place.
    read_points(items, [this, at, regs, items, next, single](Result<PointRegisters> r) {
      if (!r && r.error().code == ErrorCode::disconnected) return next(Status{Failure{r.error()}});
      const bool in_place =
          r && std::all_of(items.begin(), items.end(), [&](const auto& item) {
            const auto it = r->find(item.name);
            const auto from = regs.begin() + static_cast<long>(item.offset);
            return it != r->end() &&
                   it->second == Registers(from, from + static_cast<long>(item.count));
          });
      if (in_place) return next(Status{});
      write_and_verify(at, regs, items, next, single);
    });
    return;
  }
  write_and_verify(at, regs, items, next, single);
}

void ProfileInverterDriver::Impl::read_points(
    const std::vector<EncodedWrite>& items,
    const std::function<void(Result<PointRegisters>)>& done) {
  std::vector<std::string> names;
  names.reserve(items.size());
  for (const auto& item : items) names.push_back(item.name);
  read_requests(layout.reads_for(profile, names), 0, {}, done);
}

void ProfileInverterDriver::Impl::read_requests(
    std::vector<PollBlock> reads, std::size_t index, PointRegisters got,
    const std::function<void(Result<PointRegisters>)>& done) {
  if (index >= reads.size()) return done(std::move(got));
  const PollBlock& b = reads[index];
  read_block(b.unit, b.function, b.address, b.count,
             guard([this, reads, index, got, done](auto current, Result<Registers> r) mutable {
               if (!current) return done(fail(ErrorCode::disconnected, "link changed"));
               if (!r) return done(Failure{r.error()});
               const PollBlock& read = reads[index];
               for (const auto& n : read.points) {
                 const auto off = static_cast<long>(layout.find(n)->address - read.address);
                 const auto cnt = static_cast<long>(profile.point(n)->register_count());
                 got[n] = Registers(r->begin() + off, r->begin() + off + cnt);
               }
               read_requests(std::move(reads), index + 1, std::move(got), done);
             }));
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
  auto on_written = guard([this, items, done](auto current, const Status& s) {
    if (!current) return done(fail(ErrorCode::disconnected, "link changed"));
    if (!s) return done(s);
    if (reaction_in_flight)
      safety_reactions.record(clock.now() - *std::exchange(reaction_in_flight, std::nullopt));
    // A device may update what it shows on a cycle of its own (SolaX's input registers): a
    // difference is read again before it counts (docs/profiles.md "Control", read-back).
    constexpr int kRereads = 3;
    this->verify(items, kRereads, done);
  });
  if (single)
    client.write_register(at.unit, at.address, regs.front(), std::move(on_written));
  else
    client.write_registers(at.unit, at.address, regs, std::move(on_written));
}

void ProfileInverterDriver::Impl::verify(const std::vector<EncodedWrite>& items, int rereads,
                                         const std::function<void(Status)>& done) {
  // Read back where the profile reads each point: a device that takes a write to a holding
  // register may show it only among its input registers (a Fox ESS H1 over RS485), or at another
  // address (SolaX's remote-control block); a write-only point is not read back.
  read_points(items, [this, items, rereads, done](Result<PointRegisters> r) {
    if (!r) return done(Status{Failure{r.error()}});
    for (const auto& item : items) {
      const std::string& name = item.name;
      const auto read = r->find(name);
      if (read == r->end()) continue;  // write-only
      const PointSpec& spec = *profile.point(name);
      values.store(name, read->second);
      const auto got = values.value_of(name);
      const auto sf = values.scale_factor_of(spec);
      const double tol = registers::resolution(spec.scale, sf.value_or(0)) / 2.0 + 1e-9;
      if (got && std::fabs(*got - item.value) <= tol) continue;
      if (rereads > 0) {
        constexpr auto kSettle = std::chrono::milliseconds{300};
        settle_timer.expires_after(kSettle);
        settle_timer.async_wait(
            guard([this, items, rereads, done](auto current, const boost::system::error_code& ec) {
              if (!current || ec) return done(fail(ErrorCode::disconnected, "link changed"));
              verify(items, rereads - 1, done);
            }));
        return;
      }
      const std::string shown = got ? std::to_string(*got) : "nothing";
      condition("inverter.readback_mismatch", true, Severity::error,
                "read-back of " + name + " differs: wrote " +
                    std::to_string(item.value).append(", read ").append(shown),
                {{"point", name}, {"written", std::to_string(item.value)}, {"read", shown}});
      return done(fail(ErrorCode::readback_mismatch, "read-back mismatch on " + name));
    }
    done(Status{});
  });
}

}  // namespace bessd::inverter
