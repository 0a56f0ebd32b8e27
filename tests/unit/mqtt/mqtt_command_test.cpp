// Commands from the broker (docs/mqtt.md "Control"): what Home Assistant sends is understood,
// anything retained or stale is refused with the reason.
#include <gtest/gtest.h>

#include <bessd/mqtt/mqtt_command.hpp>

namespace bessd::mqtt {
namespace {

using namespace std::chrono_literals;

const WallTime kNow = WallTime{} + std::chrono::seconds{1'796'000'000};

CommandCheck check(std::string_view name, std::string_view payload, bool retained = false) {
  return check_command(name, payload, retained, kNow, 10s);
}

TEST(MqttCommand, HomeAssistantsPlainPayloadsAreUnderstood) {
  auto c = check("mode", "self_consumption");
  ASSERT_TRUE(c.command) << c.refusal;
  EXPECT_EQ(c.command->kind, CommandKind::mode);
  EXPECT_EQ(c.command->mode.mode, api::Mode::self_consumption);
  c = check("setpoint", "-1500.0");
  ASSERT_TRUE(c.command) << c.refusal;
  EXPECT_EQ(c.command->mode.mode, api::Mode::manual);
  EXPECT_EQ(c.command->mode.setpoint_w, -1500.0);
  // As a shell sends them: a newline, capitals, a plus sign.
  c = check("mode", "IDLE\n");
  ASSERT_TRUE(c.command) << c.refusal;
  EXPECT_EQ(c.command->mode.mode, api::Mode::idle);
  c = check("setpoint", "+1000\r\n");
  ASSERT_TRUE(c.command) << c.refusal;
  EXPECT_EQ(c.command->mode.setpoint_w, 1000.0);
  c = check("ack", "ack");
  ASSERT_TRUE(c.command) << c.refusal;
  EXPECT_EQ(c.command->kind, CommandKind::acknowledge);
}

// Home Assistant's number sends the percentage; "config" and JSON null go back to the
// configuration's value; anything else is refused before the facade sees it.
TEST(MqttCommand, ReserveAndTargetAreSettings) {
  auto c = check("reserve", "45");
  ASSERT_TRUE(c.command) << c.refusal;
  EXPECT_EQ(c.command->kind, CommandKind::settings);
  EXPECT_EQ(c.command->settings.reserve_soc_pct, std::optional<double>{45.0});
  EXPECT_FALSE(c.command->settings.target_soc_pct);
  c = check("target", "config\n");
  ASSERT_TRUE(c.command) << c.refusal;
  ASSERT_TRUE(c.command->settings.target_soc_pct);
  EXPECT_FALSE(c.command->settings.target_soc_pct->has_value());
  c = check("reserve", R"({"reserve_soc_pct": null, "client": "ha"})");
  ASSERT_TRUE(c.command) << c.refusal;
  ASSERT_TRUE(c.command->settings.reserve_soc_pct);
  EXPECT_FALSE(c.command->settings.reserve_soc_pct->has_value());
  EXPECT_EQ(c.command->client, "ha");
  for (const char* bad : {"150", "-1", "forty", ""}) {
    c = check("reserve", bad);
    EXPECT_FALSE(c.command) << bad;
    EXPECT_NE(c.refusal.find("command reserve refused"), std::string::npos) << c.refusal;
  }
  c = check("target", R"({"reserve_soc_pct": 40})");
  EXPECT_FALSE(c.command);
  EXPECT_NE(c.refusal.find("target_soc_pct"), std::string::npos) << c.refusal;
  // A key the command does not take is refused, not dropped (red team 21a F9).
  c = check("target", R"({"target_soc_pct": 95, "reserve_soc_pct": 90})");
  EXPECT_FALSE(c.command);
  EXPECT_NE(c.refusal.find("unknown key \"reserve_soc_pct\""), std::string::npos) << c.refusal;
  EXPECT_FALSE(check("reserve", "40", /*retained=*/true).command);
}

TEST(MqttCommand, JsonCarriesTheSetpointExpiryAndWhenItWasSent) {
  auto c =
      check("mode", R"({"mode":"manual","setpoint_w":800,"expires_in_s":3600,"sent_at":"-5s"})");
  ASSERT_TRUE(c.command) << c.refusal;
  EXPECT_EQ(c.command->mode.mode, api::Mode::manual);
  EXPECT_EQ(c.command->mode.setpoint_w, 800.0);
  EXPECT_EQ(c.command->mode.expires_in_s, 3600);
  c = check("setpoint", R"({"setpoint_w": 500, "sent_at": 1796000000, "client": "node-red"})");
  ASSERT_TRUE(c.command) << c.refusal;
  EXPECT_EQ(c.command->client, "node-red");
  // Home Assistant's select sends "manual" alone: the setpoint is the caller's to supply.
  c = check("mode", "manual");
  ASSERT_TRUE(c.command) << c.refusal;
  EXPECT_FALSE(c.command->mode.setpoint_w);
}

TEST(MqttCommand, RetainedStaleOrMalformedCommandsAreRefusedWithTheReason) {
  EXPECT_NE(check("mode", "idle", /*retained=*/true).refusal.find("retained"), std::string::npos);
  EXPECT_NE(check("mode", R"({"mode":"idle","sent_at":"-11s"})").refusal.find("11 s ago"),
            std::string::npos);
  EXPECT_NE(
      check("mode", R"({"mode":"idle","sent_at":"2099-01-01T00:00:00Z"})").refusal.find("ahead"),
      std::string::npos);
  EXPECT_NE(check("mode", R"({"mode":"idle","sent_at":"yesterday"})").refusal.find("sent_at"),
            std::string::npos);
  EXPECT_NE(check("mode", "turbo").refusal.find("idle, self_consumption or manual"),
            std::string::npos);
  EXPECT_NE(check("setpoint", "1.5kW").refusal.find("power in W"), std::string::npos);
  EXPECT_NE(check("setpoint", "nan").refusal.find("power in W"), std::string::npos);
  EXPECT_NE(check("mode", "{not json").refusal.find("not JSON"), std::string::npos);
  EXPECT_NE(check("mode", R"({"mode":"manual","expires_in_s":-1})").refusal.find("expires_in_s"),
            std::string::npos);
  EXPECT_NE(check("setpoint", "2e6").refusal.find("1000000 W"), std::string::npos);
  EXPECT_NE(check("mode", R"({"mode":"idle","setpoint_w":100})").refusal.find("only allowed"),
            std::string::npos);
  EXPECT_NE(check("mode", R"({"mode":"idle","expires_in_s":99999999})").refusal.find("2592000"),
            std::string::npos);
  EXPECT_NE(check("mode", R"({"mode":"idle","client":""})").refusal.find("client"),
            std::string::npos);
  EXPECT_NE(check("mode", std::string(2000, ' ')).refusal.find("2000 bytes"), std::string::npos);
  // Unix seconds far enough out to overflow the clock are refused, not wrapped.
  EXPECT_FALSE(check("mode", R"({"mode":"idle","sent_at":36028797018963968})").command);
  EXPECT_FALSE(check("mode", R"({"mode":"idle","sent_at":-36028797018963968})").command);
  EXPECT_FALSE(check("mode", R"({"mode":"idle","sent_at":18446744073709551615})").command);
  EXPECT_NE(check("mode", R"({"mode":"idle","client":"a\u001b[31mb"})").refusal.find("printable"),
            std::string::npos);
  EXPECT_NE(check("reboot", "now").refusal.find("unknown command"), std::string::npos);
  EXPECT_NE(check("ack", "yes please").refusal.find("\"ack\""), std::string::npos);
  for (const auto& r : {check("mode", "idle", true), check("setpoint", "x")})
    EXPECT_FALSE(r.command);
}

// The stop request has a place of its own in a flood: it is told apart cheaply.
TEST(MqttCommand, IdleUntilChangedIsToldApart) {
  EXPECT_TRUE(asks_for_idle("mode", "idle"));
  EXPECT_TRUE(asks_for_idle("mode", " Idle\n"));
  EXPECT_TRUE(asks_for_idle("mode", R"({"mode":"idle","client":"owner"})"));
  EXPECT_FALSE(asks_for_idle("mode", R"({"mode":"idle","expires_in_s":60})"));
  EXPECT_FALSE(asks_for_idle("mode", "self_consumption"));
  EXPECT_FALSE(asks_for_idle("setpoint", "idle"));
  EXPECT_FALSE(asks_for_idle("mode", "garbage{"));
}

}  // namespace
}  // namespace bessd::mqtt
