// bessd on a real mosquitto broker (docs/mqtt.md), watched as Home Assistant would: the retained
// availability, state and energy messages and the discovery configs, the state agreeing with
// GET /v1/status, "offline" when bessd stops, and a broker that goes away and comes back.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace mqtt_test {

using namespace std::chrono_literals;

// A mosquitto broker on loopback with a configuration of its own (Debian's default one wants
// systemd's folders).
class Broker {
 public:
  /// `listener_conf`: lines for the listener (TLS files, password file); `client_args`: what
  /// mosquitto_sub and mosquitto_pub need to reach it then.
  explicit Broker(const std::string& listener_conf = "allow_anonymous true\n",
                  std::vector<std::string> client_args = {})
      : port_(free_port()), client_args_(std::move(client_args)) {
    write_file(dir_.path() + "/mosquitto.conf",
               "per_listener_settings true\npersistence false\nuser root\nlistener " +
                   std::to_string(port_) + " 127.0.0.1\n" + listener_conf);
    start();
  }
  void start() {
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/sbin/mosquitto", "-c", dir_.path() + "/mosquitto.conf"});
    const bool up =
        wait_until([&] { return run(sub_args("$SYS/broker/version", 1, 1)).code == 0; }, 5s);
    EXPECT_TRUE(up) << process_->output();
  }
  /// Makes mosquitto read its password file again.
  void reload() { process_->signal(SIGHUP); }
  /// Stops mosquitto the orderly way: it saves its persistence file, when it keeps one.
  void stop() {
    process_->signal(SIGTERM);
    process_->wait(5s);
  }
  /// Freezes mosquitto (SIGSTOP): connections stay open, nothing is read or acknowledged.
  void freeze() { process_->signal(SIGSTOP); }
  void kill() {
    process_->signal(SIGKILL);
    process_->wait(5s);
  }
  int port() const { return port_; }
  const std::string& dir() const { return dir_.path(); }
  std::vector<std::string> sub_command() const { return client("/usr/bin/mosquitto_sub"); }
  /// Publishes one message (QoS 1; `retain` as the flag).
  void publish(const std::string& topic, const std::string& payload, bool retain = false) const {
    std::vector<std::string> args = client("/usr/bin/mosquitto_pub");
    args.insert(args.end(), {"-q", "1", "-t", topic, "-m", payload});
    if (retain) args.emplace_back("-r");
    EXPECT_EQ(run(args, 10s).code, 0) << topic;
  }
  /// Publishes `payload` on `topic` and returns the next answer on `answers` (empty when none
  /// comes within `seconds`); a message retained on `answers` before is no answer.
  std::string answer_to(const std::string& topic, const std::string& payload,
                        const std::string& answers, bool retain = false, int seconds = 5) const {
    auto args = sub_args(answers, 100, seconds + 5);
    args.emplace_back("-R");
    Process sub(args);
    // The subscription is in place once a probe on the answer topic comes through.
    const bool ready = wait_until(
        [&] {
          publish(answers, "probe");
          return sub.output().find(" probe") != std::string::npos;
        },
        5s);
    EXPECT_TRUE(ready) << "mosquitto_sub did not subscribe";
    publish(topic, payload, retain);
    std::string answer;
    wait_until(
        [&] {
          std::istringstream lines(sub.complete_lines());
          for (std::string line; std::getline(lines, line);)
            if (const auto space = line.find(' ');
                space != std::string::npos && line.substr(space + 1) != "probe")
              answer = line.substr(space + 1);
          return !answer.empty();
        },
        std::chrono::seconds(seconds));
    sub.signal(SIGTERM);
    (void)sub.wait(5s);
    return answer;
  }
  /// Messages on `filter` as "topic payload" lines (retained ones at once), at most `count`
  /// of them or what arrives within `seconds`.
  std::map<std::string, std::string> retained(const std::string& filter, int count,
                                              int seconds = 3) const {
    std::map<std::string, std::string> out;
    std::istringstream lines(run(sub_args(filter, count, seconds), 10s).output);
    for (std::string line; std::getline(lines, line);) {
      const auto space = line.find(' ');
      if (space != std::string::npos) out[line.substr(0, space)] = line.substr(space + 1);
    }
    return out;
  }

 private:
  std::vector<std::string> client(const std::string& program) const {
    std::vector<std::string> args{program, "-h", "127.0.0.1", "-p", std::to_string(port_)};
    args.insert(args.end(), client_args_.begin(), client_args_.end());
    return args;
  }
  std::vector<std::string> sub_args(const std::string& filter, int count, int seconds) const {
    auto args = client("/usr/bin/mosquitto_sub");
    args.insert(args.end(),
                {"-t", filter, "-v", "-C", std::to_string(count), "-W", std::to_string(seconds)});
    return args;
  }
  TempDir dir_;
  int port_;
  std::vector<std::string> client_args_;
  std::unique_ptr<Process> process_;
};

// links[] "mqtt" of GET /v1/status, or an empty object when it is not there.
nlohmann::json mqtt_link(Site& site) {
  const auto status = status_of(site);  // kept: the loop refers into it
  for (const auto& l : status.at("links"))
    if (l.at("name") == "mqtt") return l;
  return nlohmann::json::object();
}

SiteOptions with_mqtt(const Broker& broker) {
  SiteOptions o = evening_self_consumption("victron_ess");
  o.config_patch["mqtt"] = {
      {"host", "127.0.0.1"}, {"port", broker.port()}, {"site_id", "home"}, {"state_period_s", 2}};
  return o;
}

// A CA, and a certificate for localhost signed by it, made with openssl in `dir`.
void make_certificates(const std::string& dir) {
  const auto ok = [](const RunResult& r) { ASSERT_EQ(r.code, 0) << r.output; };
  ok(run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
          dir + "/ca.key", "-out", dir + "/ca.pem", "-days", "2", "-subj", "/CN=bessd test CA"}));
  ok(run({"/usr/bin/openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
          dir + "/server.key", "-out", dir + "/server.csr", "-subj", "/CN=localhost"}));
  write_file(dir + "/san.cnf", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  ok(run({"/usr/bin/openssl", "x509", "-req", "-in", dir + "/server.csr", "-CA", dir + "/ca.pem",
          "-CAkey", dir + "/ca.key", "-CAcreateserial", "-out", dir + "/server.pem", "-days", "2",
          "-extfile", dir + "/san.cnf"}));
}

// TLS with the broker's certificate checked against a CA, a user name and a password from a
// file; a wrong password is a link that stays down and says why.
TEST(Mqtt, TlsAndAPasswordFromAFile) {
  TempDir pki;
  make_certificates(pki.path());
  ASSERT_EQ(
      run({"/usr/bin/mosquitto_passwd", "-b", "-c", pki.path() + "/passwd", "bessd", "s3cret"})
          .code,
      0);
  Broker broker("allow_anonymous false\npassword_file " + pki.path() + "/passwd\ncafile " +
                    pki.path() + "/ca.pem\ncertfile " + pki.path() + "/server.pem\nkeyfile " +
                    pki.path() + "/server.key\n",
                {"--cafile", pki.path() + "/ca.pem", "-u", "bessd", "-P", "s3cret", "--insecure"});
  SiteOptions o = with_mqtt(broker);
  write_file(pki.path() + "/bessd.pass", "s3cret\n");
  o.config_patch["mqtt"]["host"] = "localhost";
  o.config_patch["mqtt"]["username"] = "bessd";
  o.config_patch["mqtt"]["password_file"] = pki.path() + "/bessd.pass";
  o.config_patch["mqtt"]["tls"] = {{"ca_file", pki.path() + "/ca.pem"}};
  {
    Site site(o);
    ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
    EXPECT_TRUE(wait_until(
        [&] { return broker.retained("bessd/home/status", 1)["bessd/home/status"] == "online"; },
        10s))
        << site.bessd_output();
  }
  write_file(pki.path() + "/bessd.pass", "wrong\n");
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  nlohmann::json link = nlohmann::json::object();
  EXPECT_TRUE(wait_until(
      [&] {
        link = mqtt_link(site);
        return link.value("state", "") == "down";
      },
      10s))
      << link;
  EXPECT_NE(link.value("detail", "").find("refused"), std::string::npos) << link;
  // The password the broker wants changes to the one bessd has: bessd gets in by itself.
  ASSERT_EQ(run({"/usr/bin/mosquitto_passwd", "-b", pki.path() + "/passwd", "bessd", "wrong"}).code,
            0);
  broker.reload();
  EXPECT_TRUE(wait_until(
      [&] {
        link = mqtt_link(site);
        return link.value("state", "") == "up";
      },
      40s))
      << link;
}

TEST(Mqtt, HomeAssistantSeesTheSiteAsTheApiDoes) {
  Broker broker;
  Site site(with_mqtt(broker));
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  std::map<std::string, std::string> got;
  ASSERT_TRUE(wait_until(
      [&] {
        got = broker.retained("bessd/home/#", 4);
        if (!got.count("bessd/home/state") || !got.count("bessd/home/energy") ||
            got["bessd/home/status"] != "online")
          return false;
        // The first states may be from before the pack's first frame or the inverter's first
        // answer.
        const auto state = nlohmann::json::parse(got["bessd/home/state"]);
        return state.value("soc_pct", nlohmann::json()).is_number() &&
               state.value("inverter_online", false);
      },
      10s))
      << site.bessd_output() << got["bessd/home/state"];
  const auto state = nlohmann::json::parse(got["bessd/home/state"]);
  const auto status = status_of(site);
  EXPECT_NEAR(state.at("soc_pct").get<double>(), status.at("pack").at("soc_pct").get<double>(),
              1.0);
  EXPECT_EQ(state.at("mode"), "self_consumption");
  EXPECT_EQ(state.at("inverter_online"), true);
  EXPECT_TRUE(state.at("battery_power_w").is_number()) << state.dump();
  const auto energy = nlohmann::json::parse(got["bessd/home/energy"]);
  EXPECT_TRUE(energy.at("battery_discharged_kwh").is_number()) << energy.dump();

  // Discovery: retained configs Home Assistant reads; no control entity (control is off).
  const auto configs = broker.retained("homeassistant/#", 40);
  ASSERT_TRUE(configs.count("homeassistant/sensor/bessd_home/soc/config")) << configs.size();
  const auto soc = nlohmann::json::parse(configs.at("homeassistant/sensor/bessd_home/soc/config"));
  EXPECT_EQ(soc.at("state_topic"), "bessd/home/state");
  EXPECT_EQ(soc.at("availability_topic"), "bessd/home/status");
  const auto energy_in =
      nlohmann::json::parse(configs.at("homeassistant/sensor/bessd_home/battery_charged/config"));
  EXPECT_EQ(energy_in.at("state_class"), "total_increasing");
  EXPECT_FALSE(configs.count("homeassistant/select/bessd_home/mode/config"));
  // Home Assistant restarting says so: the configs come again.
  const auto again = nlohmann::json::parse(broker.answer_to(
      "homeassistant/status", "online", "homeassistant/sensor/bessd_home/soc/config"));
  EXPECT_EQ(again.at("unique_id"), "bessd_home_soc");

  // A stop says offline (retained), so Home Assistant shows the entities unavailable.
  site.bessd()->signal(SIGTERM);
  ASSERT_TRUE(site.bessd()->wait(10s)) << site.bessd_output();
  site.forget_bessd();
  EXPECT_EQ(broker.retained("bessd/home/status", 1)["bessd/home/status"], "offline");
}

nlohmann::json parsed(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// Control off (the default): nothing answers and nothing changes.
TEST(Mqtt, ControlIsOffUnlessAllowed) {
  Broker broker;
  Site site(with_mqtt(broker));
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_until([&] { return broker.retained("bessd/home/status", 1).size() == 1; }, 10s));
  EXPECT_EQ(broker.answer_to("bessd/home/cmd/mode", "idle", "bessd/home/cmd_result", false, 3), "");
  EXPECT_EQ(status_of(site).at("mode"), "self_consumption");
}

// Control on: the API's write path (clamping, audit naming the MQTT client); commands that
// arrive retained or stale are refused with the reason and change nothing.
TEST(Mqtt, CommandsGoTheApisWayAndOldOnesAreRefused) {
  Broker broker;
  SiteOptions o = with_mqtt(broker);
  o.config_patch["mqtt"]["allow_control"] = true;
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_until([&] { return broker.retained("bessd/home/status", 1).size() == 1; }, 10s));
  const std::string results = "bessd/home/cmd_result";
  const auto configs = broker.retained("homeassistant/#", 40);
  ASSERT_TRUE(configs.count("homeassistant/select/bessd_home/mode/config")) << configs.size();
  EXPECT_EQ(parsed(configs.at("homeassistant/select/bessd_home/mode/config")).at("command_topic"),
            "bessd/home/cmd/mode");
  EXPECT_TRUE(configs.count("homeassistant/button/bessd_home/acknowledge/config"));

  // A retained command (a leftover for whoever subscribes next) is refused.
  auto r = parsed(broker.answer_to("bessd/home/cmd/mode", "idle", results, /*retain=*/true));
  ASSERT_TRUE(r.is_object()) << site.bessd_output();
  EXPECT_EQ(r.at("accepted"), false);
  EXPECT_NE(r.at("message").get<std::string>().find("retained"), std::string::npos) << r;
  broker.publish("bessd/home/cmd/mode", "", /*retain=*/true);  // clears the retained one
  // One sent 60 s ago is stale.
  r = parsed(
      broker.answer_to("bessd/home/cmd/mode", R"({"mode":"idle","sent_at":"-60s"})", results));
  EXPECT_EQ(r.value("accepted", true), false) << r;
  EXPECT_EQ(status_of(site).at("mode"), "self_consumption");

  // A setpoint far beyond the inverter is clamped as PUT /v1/mode clamps it.
  r = parsed(broker.answer_to("bessd/home/cmd/setpoint",
                              R"({"setpoint_w": 900000, "client": "node-red", "sent_at": "-1s"})",
                              results));
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r.at("accepted"), true) << r;
  EXPECT_LT(r.at("verdict").at("effective_setpoint_w").get<double>(), 900000.0) << r;
  EXPECT_TRUE(wait_until([&] { return status_of(site).at("mode") == "manual"; }, 5s));

  // Home Assistant's select: a plain "idle".
  r = parsed(broker.answer_to("bessd/home/cmd/mode", "idle", results));
  EXPECT_EQ(r.value("accepted", false), true) << r;
  EXPECT_TRUE(wait_until([&] { return status_of(site).at("mode") == "idle"; }, 5s));

  // Home Assistant's reserve number: a plain percentage, checked and stored as PUT /v1/settings
  // does it; the state shows the reserve in force.
  ASSERT_TRUE(configs.count("homeassistant/number/bessd_home/reserve_soc/config"));
  const auto reserve_config =
      parsed(configs.at("homeassistant/number/bessd_home/reserve_soc/config"));
  EXPECT_EQ(reserve_config.at("command_topic"), "bessd/home/cmd/reserve");
  const auto configured = site.api("GET", "/v1/settings").body.at("reserve_soc_pct");
  EXPECT_EQ(reserve_config.at("min"), configured.at("configured_pct")) << reserve_config;
  r = parsed(broker.answer_to("bessd/home/cmd/reserve", "45", results));
  EXPECT_EQ(r.value("accepted", false), true) << r;
  EXPECT_TRUE(
      wait_until([&] { return status_of(site).value("reserve_soc_pct", 0.0) == 45.0; }, 5s));
  EXPECT_TRUE(wait_until(
      [&] {
        const auto state = parsed(broker.retained("bessd/home/state", 1)["bessd/home/state"]);
        return state.is_object() && state.value("reserve_soc_pct", 0.0) == 45.0;
      },
      10s));
  r = parsed(broker.answer_to("bessd/home/cmd/reserve", "2", results));
  EXPECT_EQ(r.value("accepted", true), false) << r;
  EXPECT_NE(r.value("message", "").find("control.min_soc_pct"), std::string::npos) << r;
  EXPECT_EQ(status_of(site).value("reserve_soc_pct", 0.0), 45.0);

  // Bytes that are not text are refused, and the audit that records them still reads back.
  r = parsed(broker.answer_to("bessd/home/cmd/mode", "\xff\xfe{", results));
  EXPECT_EQ(r.value("accepted", true), false) << r;

  // The audit names the MQTT client and the broker.
  const auto reply = site.api("GET", "/v1/audit?limit=20");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto audit = reply.body.at("records");
  bool named = false, refusal = false;
  for (const auto& rec : audit) {
    const auto& who = rec.at("who");
    if (who.at("transport") != "mqtt") continue;
    EXPECT_EQ(who.at("peer"), "127.0.0.1:" + std::to_string(broker.port())) << rec;
    if (who.at("user") == "node-red" && rec.at("action") == "mode") named = true;
    if (rec.at("action") == "refused_write") refusal = true;
  }
  EXPECT_TRUE(named) << audit.dump(1);
  EXPECT_TRUE(refusal) << audit.dump(1);
}

// A flood on the command topic costs the controller nothing it needs: the battery keeps covering
// the house, status answers, and the audit gets the burst and a count, not a row per message.
TEST(Mqtt, ACommandFloodDoesNotHoldTheControlLoop) {
  Broker broker;
  SiteOptions o = with_mqtt(broker);
  o.config_patch["mqtt"]["allow_control"] = true;
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_until([&] { return broker.retained("bessd/home/status", 1).size() == 1; }, 10s));
  nlohmann::json truth;
  ASSERT_TRUE(wait_battery_covers_house(site, truth, 200, 300, 15s)) << truth.dump();
  // Under timeout(1): it signals the whole pipeline, not the shell alone, when it is stopped
  // (and on its own after 60 s), so no publisher is left spinning after the test.
  Process flood({"/usr/bin/timeout", "60", "/bin/sh", "-c",
                 "yes garbage | /usr/bin/mosquitto_pub -h 127.0.0.1 -p " +
                     std::to_string(broker.port()) + " -t bessd/home/cmd/mode -l"});
  // The flood has reached bessd once the write rate refuses some of it.
  const auto refusals = [&] {
    const auto reply = site.api("GET", "/v1/audit?limit=500");
    std::size_t n = 0;
    if (reply.status == 200)
      for (const auto& rec : reply.body.at("records"))
        if (rec.at("action") == "refused_write" &&
            rec.at("message").get<std::string>().find("write rate") != std::string::npos)
          ++n;
    return n;
  };
  ASSERT_TRUE(wait_until([&] { return refusals() > 0; }, 15s)) << site.bessd_output();
  // While it runs: the controller still regulates, and answers; and the owner's stop gets
  // through (it has a bucket and places of its own, as PUT /v1/mode idle has).
  EXPECT_TRUE(wait_battery_covers_house(site, truth, 200, 300, 15s)) << truth.dump();
  broker.publish("bessd/home/cmd/mode", R"({"mode": "idle", "client": "owner"})");
  EXPECT_TRUE(wait_until([&] { return status_of(site).at("mode") == "idle"; }, 10s))
      << status_of(site).at("mode");
  EXPECT_FALSE(flood.wait(0s)) << "the flood ended before the owner's stop: it proved nothing";
  flood.signal(SIGTERM);
  ASSERT_TRUE(flood.wait(10s));
  const auto audit = site.api("GET", "/v1/audit?limit=500").body.at("records");
  EXPECT_LT(audit.size(), 200u) << "the audit grows with the flood";
  EXPECT_LE(refusals(), 10u) << audit.dump(1);
}

TEST(Mqtt, ABrokerThatGoesAwayNeverHoldsTheControlLoopAndIsFoundAgain) {
  Broker broker;
  Site site(with_mqtt(broker));
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_until([&] { return broker.retained("bessd/home/status", 1).size() == 1; }, 10s));
  broker.kill();
  // The controller goes on: status answers and the battery still covers the house.
  nlohmann::json truth;
  EXPECT_TRUE(wait_battery_covers_house(site, truth, 200, 300, 15s)) << truth.dump();
  const auto before = status_of(site).at("operating_reason");
  EXPECT_FALSE(before.is_null());
  // Status says the broker is away, and why.
  nlohmann::json link = nlohmann::json::object();
  EXPECT_TRUE(wait_until(
      [&] {
        link = mqtt_link(site);
        return link.value("state", "") == "down";
      },
      10s))
      << link << site.bessd_output();
  EXPECT_GE(link.at("error_count").get<int>(), 1) << link;
  broker.start();
  ASSERT_TRUE(wait_until(
      [&] { return broker.retained("bessd/home/status", 1)["bessd/home/status"] == "online"; },
      20s))
      << site.bessd_output();
  EXPECT_TRUE(broker.retained("bessd/home/state", 1).count("bessd/home/state"));
  EXPECT_TRUE(wait_until([&] { return mqtt_link(site).value("state", "") == "up"; }, 5s));
}

// --- fleet uplink (docs/fleet.md) --------------------------------------------------------------

// links[] "uplink" of GET /v1/status, or an empty object when it is not there.
nlohmann::json uplink_link(Site& site) {
  const auto status = status_of(site);
  for (const auto& l : status.at("links"))
    if (l.at("name") == "uplink") return l;
  return nlohmann::json::object();
}

// A central collector: a persistent QoS 1 session ("-c"), so the broker keeps what arrives while
// the collector is away. The session is made and saved before the test (an orderly broker stop
// writes it to the persistence file), so that a broker killed later still knows it on restart.
class Collector {
 public:
  explicit Collector(const Broker& broker) : broker_(broker) {}
  void connect() {
    auto args = broker_.sub_command();
    args.insert(args.end(), {"-c", "-i", "collector", "-q", "1", "-t", "fleet/#", "-v"});
    process_ = std::make_unique<Process>(args);
    // Subscribed once a probe comes through.
    const bool ready = wait_until(
        [&] {
          broker_.publish("fleet/probe", "probe");
          return process_->output().find("fleet/probe probe") != std::string::npos;
        },
        5s);
    EXPECT_TRUE(ready) << "the collector did not subscribe";
  }
  void disconnect() {
    if (!process_) return;
    process_->signal(SIGTERM);
    (void)process_->wait(5s);
    output_ += process_->output();
    process_.reset();
  }
  /// The batches received on <prefix>/home/<stream>, duplicates included.
  std::vector<nlohmann::json> batches(const std::string& stream) const {
    std::vector<nlohmann::json> out;
    std::istringstream lines(output_ + (process_ ? process_->complete_lines() : std::string{}));
    const std::string topic = "fleet/home/" + stream + " ";
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(topic, 0) == 0)
        out.push_back(nlohmann::json::parse(line.substr(topic.size()), nullptr, false));
    return out;
  }
  std::int64_t covered_to(const std::string& stream) const {
    std::int64_t to = 0;
    for (const auto& b : batches(stream))
      if (b.is_object()) to = std::max(to, b.value("to_seq", std::int64_t{0}));
    return to;
  }

 private:
  const Broker& broker_;
  std::unique_ptr<Process> process_;
  std::string output_;
};

// What a central store keeps when it de-duplicates on (site_id, run, stream, seq): the rows of
// every batch, and the ranges the batches say they cover. After de-duplication, every row from the
// first to the last is there once: no gap. A row sent twice carries the same content both times.
void expect_no_gap(const std::vector<nlohmann::json>& batches, const std::string& stream,
                   std::int64_t& rows) {
  std::set<std::int64_t> runs;
  std::map<std::int64_t, std::string> kept;  // seq -> the row's time (the dedupe key's value)
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
  for (const auto& b : batches) {
    ASSERT_TRUE(b.is_object()) << "not JSON";
    EXPECT_EQ(b.at("site_id"), "home");
    EXPECT_EQ(b.at("stream"), stream);
    EXPECT_EQ(b.at("missing"), 0) << b;
    ranges.emplace_back(b.at("from_seq").get<std::int64_t>(), b.at("to_seq").get<std::int64_t>());
    std::vector<std::int64_t> seqs;
    std::vector<std::string> times;
    if (stream == "telemetry") {
      for (const auto& s : b.at("seq")) seqs.push_back(s.get<std::int64_t>());
      for (std::size_t i = 0; i < b.at("t").size(); ++i) {
        times.push_back(b.at("t")[i].dump() + " run " + b.at("run")[i].dump());
        runs.insert(b.at("run")[i].get<std::int64_t>());
      }
    } else {
      for (const auto& r : b.at("rows")) {
        seqs.push_back(r.at("seq").get<std::int64_t>());
        times.push_back(r.at("t").dump() + r.at("code").dump() + " run " + r.at("run").dump());
        runs.insert(r.at("run").get<std::int64_t>());
      }
    }
    ASSERT_EQ(seqs.size(), times.size());
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      EXPECT_GT(seqs[i], ranges.back().first);
      EXPECT_LE(seqs[i], ranges.back().second);
      const auto [at, fresh] = kept.emplace(seqs[i], times[i]);
      if (!fresh) {
        EXPECT_EQ(at->second, times[i]) << "row " << seqs[i] << " changed";
      }
    }
  }
  ASSERT_FALSE(kept.empty()) << stream;
  // One run per start of bessd (two here); a row sent again keeps the run that wrote it (above).
  EXPECT_GE(runs.size(), 1u);
  EXPECT_LE(runs.size(), 2u);
  EXPECT_EQ(runs.count(0), 0u);
  std::sort(ranges.begin(), ranges.end());
  EXPECT_EQ(ranges.front().first, 0) << stream << ": the first batch is not from the start";
  std::int64_t covered = 0;
  for (const auto& [from, to] : ranges) {
    EXPECT_LE(from, covered) << stream << ": nothing covers rows " << covered + 1 << " to " << from;
    covered = std::max(covered, to);
  }
  // Telemetry goes every row (telemetry_every_s 0), so every number in the range is a row.
  if (stream == "telemetry") {
    EXPECT_EQ(kept.begin()->first, 1);
    EXPECT_EQ(kept.rbegin()->first, static_cast<std::int64_t>(kept.size()));
  }
  rows = static_cast<std::int64_t>(kept.size());
}

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The central broker killed mid-stream and started again, then bessd restarted: the central side
// ends up with every row and event once, the ones logged while it was away included.
TEST(FleetUplink, ACentralBrokerOutageAndARestartLoseNothing) {
  TempDir store;
  Broker broker("allow_anonymous true\npersistence true\npersistence_location " + store.path() +
                "/\nautosave_interval 3600\nmax_queued_messages 0\n");
  Collector collector(broker);
  collector.connect();
  collector.disconnect();
  broker.stop();  // the collector's session is in the persistence file now
  broker.start();
  collector.connect();

  SiteOptions o = evening_self_consumption("victron_ess");
  o.config_patch["uplink"] = {
      {"host", "127.0.0.1"},     {"port", broker.port()},    {"site_id", "home"},
      {"topic_prefix", "fleet"}, {"telemetry_every_s", 0},   {"send_every_s", 1},
      {"batch_rows", 4},         {"max_messages_per_s", 20}, {"start_jitter_s", 0}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_until([&] { return collector.covered_to("telemetry") >= 5; }, 20s))
      << site.bessd_output();
  EXPECT_EQ(uplink_link(site).value("state", ""), "up") << uplink_link(site);

  // Batches sent to a broker that stops answering, and then dies with them unread: only
  // acknowledged rows may count as delivered.
  const auto outage_from_ms = unix_now_ms();
  broker.freeze();
  std::this_thread::sleep_for(3s);
  // bessd restarted meanwhile, its last batches unacknowledged: it goes on after the last
  // acknowledged row, not from the start, nor after what it had merely sent.
  site.bessd()->signal(SIGTERM);
  ASSERT_TRUE(site.bessd()->wait(15s)) << "a frozen central broker held the stop\n"
                                       << site.bessd_output();
  site.forget_bessd();
  broker.kill();
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  nlohmann::json link = nlohmann::json::object();
  EXPECT_TRUE(wait_until(
      [&] {
        link = uplink_link(site);
        return link.value("state", "") == "down";
      },
      10s))
      << link;
  std::this_thread::sleep_for(4s);  // rows and events logged while the central side is away
  const auto during_outage = collector.covered_to("telemetry");
  const auto outage_to_ms = unix_now_ms();
  broker.start();
  ASSERT_TRUE(
      wait_until([&] { return collector.covered_to("telemetry") >= during_outage + 12; }, 30s))
      << site.bessd_output();
  ASSERT_TRUE(wait_until([&] { return uplink_link(site).value("state", "") == "up"; }, 10s));
  // The uplink's own outage is in the log, and so reaches the central side afterwards.
  EXPECT_TRUE(wait_until(
      [&] {
        for (const auto& b : collector.batches("events"))
          for (const auto& r : b.at("rows"))
            if (r.at("code") == "uplink.link_lost") return true;
        return false;
      },
      10s))
      << site.bessd_output();
  // The counters say it too: batches acknowledged, rows sent, and the batch of the outage sent
  // again.
  const auto scrape =
      run({"/usr/bin/curl", "-sf", "--unix-socket", site.api_socket(), "http://localhost/metrics"})
          .output;
  const auto counter = [&](const std::string& name) {
    std::smatch m;
    return std::regex_search(scrape, m, std::regex("\n" + name + " ([0-9.e+]+)")) ? std::stod(m[1])
                                                                                  : -1.0;
  };
  EXPECT_GT(counter("bessd_uplink_batches_acknowledged_total"), 0.0) << scrape;
  EXPECT_GE(counter("bessd_uplink_rows_sent_total"),
            counter("bessd_uplink_batches_acknowledged_total"));
  EXPECT_GE(counter("bessd_uplink_resends_total"), 0.0) << scrape;
  EXPECT_EQ(counter("bessd_uplink_rows_missing_total"), 0.0) << scrape;
  site.bessd()->signal(SIGTERM);
  ASSERT_TRUE(site.bessd()->wait(15s));
  collector.disconnect();

  std::int64_t telemetry_rows = 0, events = 0;
  expect_no_gap(collector.batches("telemetry"), "telemetry", telemetry_rows);
  expect_no_gap(collector.batches("events"), "events", events);
  EXPECT_GE(telemetry_rows, 10);
  // Rows logged while the central side was away arrived afterwards.
  std::int64_t outage_rows = 0;
  for (const auto& b : collector.batches("telemetry"))
    for (const auto& t : b.at("t"))
      if (t.get<std::int64_t>() >= outage_from_ms && t.get<std::int64_t>() < outage_to_ms)
        ++outage_rows;
  EXPECT_GE(outage_rows, 5);
}

}  // namespace mqtt_test
}  // namespace bessd::systest
