#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <support/enum_round_trip.hpp>

#include <bessd/control/fault_catalog.hpp>
#include <bessd/control/fault_latch_store.hpp>

namespace bessd::control {
namespace {

TEST(FaultCatalog, IdsAreUniqueAndDescribed) {
  std::set<std::string_view> ids;
  for (const auto& f : fault_catalog()) {
    EXPECT_TRUE(ids.insert(f.id).second) << f.id;
    EXPECT_FALSE(f.title.empty());
    EXPECT_FALSE(f.clears_when.empty());
  }
  EXPECT_GE(ids.size(), 9u);
}

TEST(FaultCatalog, LatchingAsTheStandardSays) {
  struct Row {
    std::string_view id;
    FaultClearing clearing;
  };
  // docs/protection.md: latch only what a person must look at.
  for (const Row& r : {Row{fault_id::fire_alarm, FaultClearing::latched},
                       Row{fault_id::bms_over_temperature, FaultClearing::latched},
                       Row{fault_id::charge_not_obeyed, FaultClearing::latched},
                       Row{fault_id::discharge_not_obeyed, FaultClearing::latched},
                       Row{fault_id::repeated_charge_trips, FaultClearing::latched},
                       Row{fault_id::latch_store, FaultClearing::latched},
                       Row{fault_id::inverter_refuses_commands, FaultClearing::latched},
                       Row{fault_id::bms_lost, FaultClearing::self_clearing},
                       Row{fault_id::inverter_link_lost, FaultClearing::self_clearing}}) {
    const FaultSpec* f = find_fault(r.id);
    ASSERT_NE(f, nullptr) << r.id;
    EXPECT_EQ(f->clearing, r.clearing) << r.id;
  }
  EXPECT_EQ(find_fault("NOPE"), nullptr);
}

TEST(MemoryFaultLatchStore, LatchReplaceClearAndFail) {
  MemoryFaultLatchStore store;
  ASSERT_TRUE(store.latch({"ALM-01", "a", 1}));
  ASSERT_TRUE(store.latch({"ALM-01", "b", 2}));
  ASSERT_TRUE(store.latch({"OP-I", "c", 3}));
  auto loaded = store.load();
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].reason, "b");
  ASSERT_TRUE(store.clear("ALM-01"));
  ASSERT_TRUE(store.clear("absent"));
  EXPECT_EQ(store.faults().size(), 1u);
  store.set_failing(true);
  EXPECT_FALSE(store.load());
  EXPECT_EQ(store.latch({"X", "", 0}).error().code, ErrorCode::storage_error);
  EXPECT_FALSE(store.clear("OP-I"));
}

// A name once written (a log line, a message) must keep meaning its value: the words are pinned.
TEST(FaultClearingNames, NamesRoundTrip) {
  EXPECT_EQ(test_support::round_tripped_names(kFaultClearingNames),
            (std::vector<std::string_view>{"self_clearing", "latched"}));
  EXPECT_EQ(enum_from_name(kFaultClearingNames, "latching"), std::nullopt);
  EXPECT_EQ(enum_from_name(kFaultClearingNames, "self-clearing"), std::nullopt);
}

}  // namespace
}  // namespace bessd::control
