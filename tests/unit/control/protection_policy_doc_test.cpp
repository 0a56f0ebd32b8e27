// docs/protection.md, the policy table in the code and the fault catalog must say the same thing.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/control/fault_catalog.hpp>
#include <bessd/limits/protection_policy.hpp>

namespace bessd::control {
namespace {

struct DocRow {
  std::string charge;
  std::string discharge;
  std::string latch;
};

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

// The rows of the table under "## Policy table": | `id` | charge | discharge | latch | text |
std::map<std::string, DocRow> read_doc_table() {
  std::ifstream file(std::string(BESSD_SOURCE_DIR) + "/docs/protection.md");
  EXPECT_TRUE(file.good()) << "docs/protection.md not found";
  std::map<std::string, DocRow> rows;
  std::string line;
  bool in_section = false;
  while (std::getline(file, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Policy table";
    if (!in_section || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) cells.push_back(trim(cell));
    EXPECT_GE(cells.size(), 5u) << line;
    if (cells.size() < 5) continue;
    std::string id = cells[0];
    EXPECT_TRUE(id.size() > 2 && id.front() == '`' && id.back() == '`') << line;
    id = id.substr(1, id.size() - 2);
    EXPECT_TRUE(rows.emplace(id, DocRow{cells[1], cells[2], cells[3]}).second)
        << "duplicate row " << id;
  }
  return rows;
}

TEST(ProtectionPolicyDoc, TableMatchesTheCode) {
  const auto doc = read_doc_table();
  ASSERT_FALSE(doc.empty());
  for (const auto& row : limits::protection_policy()) {
    const auto it = doc.find(std::string(row.id));
    ASSERT_NE(it, doc.end()) << row.id << " is in the code but not in docs/protection.md";
    EXPECT_EQ(it->second.charge, limits::to_string(row.charge)) << row.id;
    EXPECT_EQ(it->second.discharge, limits::to_string(row.discharge)) << row.id;
    EXPECT_EQ(it->second.latch, row.latches ? "yes" : "no") << row.id;
  }
  for (const auto& [id, r] : doc)
    EXPECT_NE(limits::find_policy(id), nullptr) << id << " is documented but not in the code";
}

TEST(ProtectionPolicyDoc, FaultCatalogFollowsThePolicy) {
  for (const auto& f : fault_catalog()) {
    const limits::PolicyRow* row = limits::find_policy(f.id);
    ASSERT_NE(row, nullptr) << f.id << " has no policy row";
    EXPECT_EQ(f.clearing == FaultClearing::latched, row->latches) << f.id;
    EXPECT_EQ(f.blocks_charge, row->charge == limits::Action::block) << f.id;
    EXPECT_EQ(f.blocks_discharge, row->discharge == limits::Action::block) << f.id;
  }
}

TEST(ProtectionPolicyDoc, EveryBmsConditionHasARow) {
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
    const auto c = static_cast<core::BmsCondition>(i);
    const auto& row = limits::policy_of(c);
    EXPECT_EQ(row.id, "FLAG:" + std::string(core::to_string(c)));
    EXPECT_NE(limits::find_policy(row.id), nullptr);
  }
}

TEST(ProtectionPolicyDoc, CuresStayAvailable) {
  // The heart of the policy: the direction that cures a condition is never blocked by it.
  auto at = [](std::string_view id) { return *limits::find_policy(id); };
  EXPECT_EQ(at("OP-V-01").discharge, limits::Action::allowed);
  EXPECT_EQ(at("FLAG:cell_over_voltage").discharge, limits::Action::allowed);
  EXPECT_EQ(at("OP-V-03").charge, limits::Action::allowed);
  EXPECT_EQ(at("FLAG:cell_under_voltage").charge, limits::Action::allowed);
  EXPECT_EQ(at("OP-SOC-01").charge, limits::Action::allowed);
  EXPECT_EQ(at("OP-T-01").discharge, limits::Action::allowed);
  EXPECT_EQ(at("FLAG:cell_imbalance").charge, limits::Action::derate);
  EXPECT_FALSE(at("OP-V-01").latches);
  EXPECT_FALSE(at("OP-V-03").latches);
}

}  // namespace
}  // namespace bessd::control
