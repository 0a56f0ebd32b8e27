// The topics of a site (docs/mqtt.md "Topics").
#include <gtest/gtest.h>

#include <bessd/mqtt/mqtt_topics.hpp>

namespace bessd::mqtt {
namespace {

TEST(MqttTopics, ASiteNameBecomesOneSafeTopicLevel) {
  EXPECT_EQ(topic_level("Demo house (simulated)"), "demo_house_simulated");
  EXPECT_EQ(topic_level("  12 High St / #2 +garage "), "12_high_st_2_garage");
  EXPECT_EQ(topic_level("site-7_b"), "site-7_b");
  // Wildcards and separators never reach a topic; nothing usable gives a name still.
  EXPECT_EQ(topic_level("+/#"), "site");
  EXPECT_EQ(topic_level(""), "site");
  EXPECT_EQ(topic_level("Maison à Lyon"), "maison_lyon");
}

TEST(MqttTopics, EverythingOfASiteIsUnderItsRoot) {
  const MqttTopics t("bessd", "home", "homeassistant");
  EXPECT_EQ(t.availability(), "bessd/home/status");
  EXPECT_EQ(t.state(), "bessd/home/state");
  EXPECT_EQ(t.energy(), "bessd/home/energy");
  EXPECT_EQ(t.faults(), "bessd/home/faults");
  EXPECT_EQ(t.command("mode"), "bessd/home/cmd/mode");
  EXPECT_EQ(t.commands(), "bessd/home/cmd/+");
  EXPECT_EQ(t.command_result(), "bessd/home/cmd_result");
  EXPECT_EQ(t.discovery("sensor", "soc"), "homeassistant/sensor/bessd_home/soc/config");
  EXPECT_EQ(t.discovery_status(), "homeassistant/status");
}

}  // namespace
}  // namespace bessd::mqtt
