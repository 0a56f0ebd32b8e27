#include <bessd/control/direction_blocks.hpp>

#include <algorithm>

#include <bessd/limits/protection_policy.hpp>

namespace bessd::control {

namespace {

void add(std::vector<std::string>& list, std::string id) {
  if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(std::move(id));
}

// A bound at zero names what closed it; a rule id when the limits engine gave one.
void add_closed(std::vector<std::string>& list, const core::Bound& b) {
  if (b.value > 0.0) return;
  if (!b.cause.rule_id.empty())
    add(list, b.cause.rule_id);
  else if (b.cause.kind != core::CauseKind::none)
    add(list, std::string(core::to_string(b.cause.kind)));
}

}  // namespace

DirectionBlocks direction_blocks(const StepOutput& out) {
  DirectionBlocks d;
  for (const auto& b : out.findings.blocks) {
    if (b.charge) add(d.charge, b.id);
    if (b.discharge) add(d.discharge, b.id);
  }
  for (const auto& f : out.faults) {
    if (!f.latched && !f.cause_active) continue;
    // A fault the policy does not know blocks both directions (fail safe), as in the controller.
    const auto* row = limits::find_policy(f.id);
    if (!row || row->charge == limits::Action::block) add(d.charge, f.id);
    if (!row || row->discharge == limits::Action::block) add(d.discharge, f.id);
  }
  if (out.findings.compliance_block) {
    add(d.charge, "COMPLIANCE");
    add(d.discharge, "COMPLIANCE");
  }
  add_closed(d.charge, out.envelope.charge_power_max_w);
  add_closed(d.discharge, out.envelope.discharge_power_max_w);
  return d;
}

}  // namespace bessd::control
