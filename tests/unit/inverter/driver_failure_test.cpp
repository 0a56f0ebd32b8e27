// ProfileInverterDriver against the in-memory Modbus client: a failure injected at every single
// request of a command, on every shipped profile. Whatever fails where, the device must end up
// holding what bessd last asked for, and after a lost link the safe state is the first thing
// written, after a read (docs/profiles.md "Control").
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>

#include <bessd/common/clock.hpp>
#include <bessd/inverter/profile_inverter_driver.hpp>
#include <bessd/modbus/testing/in_memory_modbus_client.hpp>

#include "../modbus/run_until.hpp"
#include "device_images.hpp"
#include "driver_test_support.hpp"
#include "register_bank.hpp"

namespace bessd::inverter {
namespace {

using core::CommandKind;
using core::InverterCommand;
using modbus::testing::InMemoryModbusClient;
using namespace std::chrono_literals;
using test::kProfiles;
using test::set_power;
using Bank = test::RegisterBankOf<InMemoryModbusClient>;

InverterCommand safe_state() {
  InverterCommand c;
  c.kind = CommandKind::safe_state;
  c.reason = "test: fault";
  return c;
}

std::unique_ptr<Bank> image_for(const std::string& name, InMemoryModbusClient& client,
                                const Profile& profile) {
  if (name == "sunspec") {
    const auto img = test::build_sunspec(client, 40000, false);
    auto bank = std::make_unique<Bank>(client, profile, 1, img.starts);
    test::fill_sunspec(*bank);
    return bank;
  }
  auto bank = std::make_unique<Bank>(client, profile, 1);
  if (name == "victron_ess")
    test::fill_victron(*bank);
  else
    test::fill_dummy(*bank);
  return bank;
}

struct MemoryRig {
  explicit MemoryRig(const std::string& name)
      : profile(load_profile(kProfiles / (name + ".json"))),
        client(io, "memory"),
        bank(image_for(name, client, profile)) {
    options.unit_id = 1;
    options.poll_period = 20ms;
    options.lease = 10s;
    driver = std::make_unique<ProfileInverterDriver>(io, client, profile, options, clock);
    driver->start();
  }
  bool wait(const std::function<bool()>& f, std::chrono::milliseconds limit = 3000ms) {
    return modbus::test::run_until(io, f, limit);
  }
  void run_for(std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
  }
  bool command(const InverterCommand& c) {
    driver->apply(c);
    return wait([&] { return driver->command_confirmed(); });
  }
  /// Every safe-state point holds its value on the device.
  std::string safe_state_missing() const {
    std::string missing;
    for (const auto& w : profile.control.safe_state)
      if (bank->get(w.point) != w.value)
        missing += w.point + "=" + std::to_string(bank->get(w.point)) + " ";
    return missing;
  }
  std::set<std::uint16_t> safe_state_registers() const {
    std::set<std::uint16_t> out;
    for (const auto& w : profile.control.safe_state) {
      const auto a = bank->address_of(w.point);
      for (std::size_t i = 0; i < profile.point(w.point)->register_count(); ++i)
        out.insert(static_cast<std::uint16_t>(a + i));
    }
    return out;
  }

  Profile profile;
  boost::asio::io_context io;
  InMemoryModbusClient client;
  std::unique_ptr<Bank> bank;
  DriverOptions options;
  ManualClock clock;
  std::unique_ptr<ProfileInverterDriver> driver;
};

const std::vector<std::string> kControlProfiles{"test_dummy", "sunspec", "victron_ess"};

// How many requests go to the device from a safe-state command to its confirmation (writes,
// read-backs, and the polls that may run between them).
std::size_t requests_of_a_safe_state(const std::string& name) {
  MemoryRig rig(name);
  EXPECT_TRUE(rig.wait([&] { return rig.driver->ready(); })) << name;
  EXPECT_TRUE(rig.command(set_power(2000))) << name;
  const auto before = rig.client.requests().size();
  EXPECT_TRUE(rig.command(safe_state())) << name;
  return rig.client.requests().size() - before;
}

TEST(DriverFailures, SafeStateInterruptedAtAnyRequestIsCompletedOnceTheDeviceAnswers) {
  for (const auto& name : kControlProfiles) {
    const std::size_t n = requests_of_a_safe_state(name);
    ASSERT_GT(n, 1U) << name;
    for (std::size_t k = 0; k <= n; ++k) {
      SCOPED_TRACE(name + ": every request from number " + std::to_string(k) + " on times out");
      MemoryRig rig(name);
      ASSERT_TRUE(rig.wait([&] { return rig.driver->ready(); }));
      ASSERT_TRUE(rig.command(set_power(2000)));
      rig.client.fail_after(k, Error{ErrorCode::timeout, "memory: timeout after 200 ms"});
      rig.driver->apply(safe_state());
      rig.run_for(150ms);
      if (!rig.driver->command_confirmed()) {
        const auto s = rig.driver->latest_state();
        ASSERT_TRUE(s.has_value());
        EXPECT_TRUE(s->command_failing_since.has_value())
            << "a safe state that did not take is not reported";
        EXPECT_FALSE(s->command_failure.empty());
      }
      rig.client.clear_faults();
      rig.clock.advance(6s);  // the retry interval
      ASSERT_TRUE(rig.wait([&] { return rig.driver->command_confirmed(); }))
          << "the safe state was never completed";
      EXPECT_EQ(rig.safe_state_missing(), "");
      const auto s = rig.driver->latest_state();
      ASSERT_TRUE(s.has_value());
      EXPECT_FALSE(s->command_failing_since.has_value());
    }
  }
}

TEST(DriverFailures, LinkLostAtAnyRequestStartsOverWithARead) {
  for (const auto& name : kControlProfiles) {
    const std::size_t n = requests_of_a_safe_state(name);
    for (std::size_t k = 0; k <= n; ++k) {
      SCOPED_TRACE(name + ": link lost at request " + std::to_string(k) + " of a command");
      MemoryRig rig(name);
      ASSERT_TRUE(rig.wait([&] { return rig.driver->ready(); }));
      ASSERT_TRUE(rig.command(safe_state()));
      std::size_t seen = 0;
      bool lost = false;
      rig.client.on_request([&](const InMemoryModbusClient::Request&) {
        if (!lost && seen++ == k) {
          lost = true;
          rig.client.link_down();
        }
      });
      rig.driver->apply(set_power(-1500));
      ASSERT_TRUE(rig.wait([&] { return lost; }));
      rig.run_for(50ms);
      EXPECT_FALSE(rig.driver->command_confirmed());
      rig.client.on_request({});
      const auto reconnect = rig.client.requests().size();
      rig.client.link_up();
      ASSERT_TRUE(rig.wait([&] { return rig.driver->ready(); }));
      // Before the driver is ready again: reads first, and the only registers written are
      // the safe state's, which the device now holds.
      const auto& log = rig.client.requests();
      bool read_first = false;
      const auto safe = rig.safe_state_registers();
      for (std::size_t i = reconnect; i < log.size(); ++i) {
        const auto& r = log[i];
        if (r.function != InMemoryModbusClient::Function::write_registers) {
          read_first = read_first || r.ok;
          continue;
        }
        EXPECT_TRUE(read_first) << "a write before anything was read at request " << i;
        for (std::uint16_t a = r.address; a < r.address + r.count; ++a)
          EXPECT_TRUE(safe.count(a)) << "register " << a << " written before the safe state";
      }
      EXPECT_EQ(rig.safe_state_missing(), "");
      // The controller repeats its command each step: it is carried out again.
      ASSERT_TRUE(rig.command(set_power(-1500)));
      EXPECT_NE(rig.safe_state_missing(), "") << "still at the safe state after the command";
    }
  }
}

}  // namespace
}  // namespace bessd::inverter

namespace bessd::inverter {
namespace {

// Red team 15 R5: a device that answers every request but does not keep the safe state (a GX
// whose charge limit reads back "no limit"). It is a command that fails, not a link that does
// not answer: while the safe state is retried, reads go on and report the failure.
TEST(DriverFailures, ASafeStateTheDeviceDoesNotKeepIsAFailingCommandNotASilentLink) {
  for (const auto& name : kControlProfiles) {
    SCOPED_TRACE(name);
    MemoryRig rig(name);
    rig.client.set_ignore_writes(true);
    ASSERT_TRUE(rig.wait([&] {
      const auto s = rig.driver->latest_state();
      return s && s->command_failing_since.has_value();
    }));
    EXPECT_FALSE(rig.driver->ready());
    for (int i = 0; i < 3; ++i) {
      rig.clock.advance(2s);  // across a start-up retry (every 5 s)
      std::optional<Result<core::InverterState>> read;
      rig.driver->read_state([&](Result<core::InverterState> r) { read = std::move(r); });
      ASSERT_TRUE(rig.wait([&] { return read.has_value(); }));
      ASSERT_TRUE(read->has_value()) << read->error().message;
      EXPECT_TRUE((*read)->online);
      EXPECT_TRUE((*read)->command_failing_since.has_value());
      EXPECT_NE((*read)->command_failure.find("read-back"), std::string::npos)
          << (*read)->command_failure;
    }
    rig.client.set_ignore_writes(false);
    rig.clock.advance(6s);
    ASSERT_TRUE(rig.wait([&] { return rig.driver->ready(); }));
    EXPECT_EQ(rig.safe_state_missing(), "");
  }
}

}  // namespace
}  // namespace bessd::inverter

namespace bessd::inverter {
namespace {

// Red team 15: a device that accepts the connection but never answers (a stalled gateway) is not
// online, although the link is up; the last readings are kept, marked offline.
TEST(DriverFailures, AConnectionTheDeviceNeverAnswersOnIsNotOnline) {
  MemoryRig rig("victron_ess");
  ASSERT_TRUE(rig.wait([&] { return rig.driver->ready(); }));
  ASSERT_TRUE(rig.driver->latest_state()->online);
  rig.client.link_down();
  rig.client.fail_after(0, Error{ErrorCode::timeout, "memory: timeout after 200 ms"});
  rig.client.link_up();
  rig.run_for(200ms);
  const auto s = rig.driver->latest_state();
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(s->online);
  rig.client.clear_faults();
  rig.clock.advance(6s);  // the start-up retry
  ASSERT_TRUE(rig.wait([&] { return rig.driver->latest_state()->online; }));
}

}  // namespace
}  // namespace bessd::inverter
