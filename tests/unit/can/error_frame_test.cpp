#include <bessd/can/codec/error_frame.hpp>

#include <optional>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <support/enum_round_trip.hpp>

namespace bessd::can::error_frame {
namespace {

CanFrame err(std::uint32_t cls, std::initializer_list<std::uint8_t> data = {}) {
  auto f = make_frame(cls, data);
  f.error = true;
  f.dlc = 8;
  return f;
}

std::vector<CanErrorKind> kinds(const CanFrame& f) {
  std::vector<CanErrorKind> out;
  for (const auto& e : decode(f, "can0")) out.push_back(e.kind);
  return out;
}

TEST(ErrorFrame, BusOff) {
  auto errs = decode(err(kBusOff), "can0");
  ASSERT_EQ(errs.size(), 1U);
  EXPECT_EQ(errs[0].kind, CanErrorKind::bus_off);
  EXPECT_EQ(errs[0].message, "can0: controller is bus-off");
}

TEST(ErrorFrame, ControllerErrorPassiveAndWarning) {
  EXPECT_EQ(kinds(err(kController, {0, kCtrlTxPassive})),
            std::vector<CanErrorKind>{CanErrorKind::error_passive});
  EXPECT_EQ(kinds(err(kController, {0, kCtrlRxWarning})),
            std::vector<CanErrorKind>{CanErrorKind::error_warning});
  EXPECT_EQ(kinds(err(kController, {0, kCtrlActive})),
            std::vector<CanErrorKind>{CanErrorKind::error_active});
  EXPECT_EQ(kinds(err(kController, {0, kCtrlRxOverflow})),
            std::vector<CanErrorKind>{CanErrorKind::controller_overflow});
}

TEST(ErrorFrame, LostArbitrationNamesTheBit) {
  auto errs = decode(err(kLostArbitration, {7}), "can1");
  ASSERT_EQ(errs.size(), 1U);
  EXPECT_EQ(errs[0].kind, CanErrorKind::arbitration_lost);
  EXPECT_NE(errs[0].message.find("bit 7"), std::string::npos);
}

TEST(ErrorFrame, SeveralClassesBusOffFirst) {
  auto k = kinds(err(kNoAck | kBusOff | kRestarted | kProtocol));
  ASSERT_EQ(k.size(), 4U);
  EXPECT_EQ(k.front(), CanErrorKind::bus_off);
  EXPECT_EQ(k.back(), CanErrorKind::restarted);
}

TEST(ErrorFrame, NonErrorFrameGivesNothingAndUnknownClassIsReported) {
  EXPECT_TRUE(decode(make_frame(0x40, {}), "can0").empty());
  EXPECT_EQ(kinds(err(0)), std::vector<CanErrorKind>{CanErrorKind::bus_error});
}

// The kinds name the events can.<kind>, which docs/events.md lists: the words are pinned.
TEST(CanErrorKindNames, NamesRoundTrip) {
  EXPECT_EQ(test_support::round_tripped_names(kCanErrorKindNames),
            (std::vector<std::string_view>{
                "bus_off", "error_passive", "error_warning", "error_active", "arbitration_lost",
                "controller_overflow", "protocol_violation", "transceiver", "no_ack", "tx_timeout",
                "bus_error", "restarted", "open_failed", "link_lost", "link_up", "config",
                "malformed_input", "send_failed"}));
  EXPECT_EQ(enum_from_name(kCanErrorKindNames, "bus-off"), std::nullopt);
  EXPECT_EQ(enum_from_name(kCanErrorKindNames, "invalid"), std::nullopt);
}

}  // namespace
}  // namespace bessd::can::error_frame
