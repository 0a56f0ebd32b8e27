// Stands in for a fleet of bessd gateways (docs/fleet.md "Measured"): N MQTT connections, each
// sending the uplink's telemetry batches (the same JSON, built by app::telemetry_batch_json) at
// QoS 1 on <prefix>/<site>/telemetry, plus one central consumer that stores each row once per
// (site_id, run, seq) and counts duplicates and rows that never came. One thread, libmosquitto's
// calls driven by poll(): a thousand connections need no thousand threads.
//
//   fleet_publisher --port P [--sites 1000] [--messages-per-s 1667] [--rows 6] [--seconds 60]
//
// Prints one JSON object: what was sent, acknowledged and received, and the acknowledgement
// latency (publish to PUBACK) percentiles.
#include <mosquitto.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include <bessd/app/fleet_batch.hpp>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int port{1883};
  int sites{1000};
  double messages_per_s{1667.0};  // 100 000 sites sending one batch a minute
  int rows{6};                    // a minute of telemetry_every_s 10
  double seconds{60.0};
  std::string prefix{"fleet"};
};

struct Site {
  mosquitto* m{nullptr};
  std::string id;
  std::string topic;
  std::int64_t seq{0};
  std::int64_t run{0};  // this stand-in's run token (docs/fleet.md "How it works")
  Clock::time_point next{};
  bool connected{false};
  std::unordered_map<int, Clock::time_point> in_flight;
};

struct Figures {
  std::uint64_t sent{0}, acked{0}, not_sent{0}, bytes{0}, connect_failures{0};
  std::vector<double> ack_ms;
  // Consumer side: per site, the rows stored once.
  std::map<std::string, std::vector<bool>> stored;
  std::uint64_t received_messages{0}, rows_stored{0}, duplicate_rows{0};
};

Figures figures;

std::vector<bessd::storage::SequencedSample> rows_for(Site& s, int n, std::mt19937& random) {
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<bessd::storage::SequencedSample> out(static_cast<std::size_t>(n));
  const auto now = bessd::WallClock::now();
  for (int i = 0; i < n; ++i) {
    auto& r = out[static_cast<std::size_t>(i)];
    r.seq = ++s.seq;
    r.run = s.run;
    auto& x = r.sample;
    x.at = now - std::chrono::seconds{10 * (n - 1 - i)};
    x.pack_voltage_v = 52.0 + noise(random) * 0.5;
    x.pack_current_a = noise(random) * 40.0;
    x.pack_power_w = *x.pack_voltage_v * *x.pack_current_a;
    x.pack_temperature_c = 21.0 + noise(random);
    x.soc_pct = 55.0 + noise(random) * 10.0;
    x.soh_pct = 97.4;
    x.cell_voltage_min_v = 3.28 + noise(random) * 0.01;
    x.cell_voltage_max_v = *x.cell_voltage_min_v + 0.012;
    x.cell_temperature_min_c = 20.1 + noise(random);
    x.cell_temperature_max_c = *x.cell_temperature_min_c + 1.5;
    x.bms_charge_current_limit_a = 100.0;
    x.bms_discharge_current_limit_a = 100.0;
    x.bms_charge_voltage_limit_v = 56.8;
    x.inverter_battery_power_w = *x.pack_power_w + noise(random) * 20.0;
    x.grid_power_w = noise(random) * 800.0;
    x.pv_power_w = std::max(0.0, 1500.0 + noise(random) * 600.0);
    x.ac_power_w = noise(random) * 2000.0;
    x.setpoint_readback_w = *x.pack_power_w;
    x.charge_power_max_w = 5000.0;
    x.discharge_power_max_w = 5000.0;
    x.charge_current_max_a = 90.0;
    x.discharge_current_max_a = 90.0;
    x.charge_voltage_max_v = 56.8;
    x.command_power_w = *x.pack_power_w;
    x.controller_state = "running";
    x.controller_mode = "self_consumption";
  }
  return out;
}

void on_connect(mosquitto*, void* obj, int rc) {
  auto* s = static_cast<Site*>(obj);
  if (rc == 0)
    s->connected = true;
  else
    ++figures.connect_failures;
}

void on_publish(mosquitto*, void* obj, int mid) {
  auto* s = static_cast<Site*>(obj);
  const auto it = s->in_flight.find(mid);
  if (it == s->in_flight.end()) return;
  figures.ack_ms.push_back(
      std::chrono::duration<double, std::milli>(Clock::now() - it->second).count());
  ++figures.acked;
  s->in_flight.erase(it);
}

// The central consumer: one row per (site_id, run, seq), whatever arrives twice.
void on_message(mosquitto*, void*, const mosquitto_message* msg) {
  ++figures.received_messages;
  const auto j = nlohmann::json::parse(static_cast<const char*>(msg->payload),
                                       static_cast<const char*>(msg->payload) + msg->payloadlen,
                                       nullptr, false);
  if (!j.is_object()) return;
  // Each stand-in site is one run of one log: the run is part of the key all the same.
  const auto& runs = j.at("run");
  auto& rows = figures.stored[j.value("site_id", "") + "/" +
                              (runs.empty() ? std::string("0") : runs[0].dump())];
  for (const auto& seq : j.at("seq")) {
    const auto n = seq.get<std::size_t>();
    if (rows.size() <= n) rows.resize(n + 1, false);
    if (rows[n]) {
      ++figures.duplicate_rows;
    } else {
      rows[n] = true;
      ++figures.rows_stored;
    }
  }
}

// One pass over every connection: read, write what is queued, keep-alives and reconnects.
void service(std::vector<Site*>& all, int timeout_ms) {
  std::vector<pollfd> fds;
  fds.reserve(all.size());
  for (auto* s : all)
    fds.push_back({mosquitto_socket(s->m),
                   static_cast<short>(POLLIN | (mosquitto_want_write(s->m) ? POLLOUT : 0)), 0});
  ::poll(fds.data(), fds.size(), timeout_ms);
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto* m = all[i]->m;
    if (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) mosquitto_loop_read(m, 1);
    if (mosquitto_want_write(m)) mosquitto_loop_write(m, 1);
    mosquitto_loop_misc(m);
  }
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--port")
      o.port = std::atoi(v);
    else if (k == "--sites")
      o.sites = std::atoi(v);
    else if (k == "--messages-per-s")
      o.messages_per_s = std::atof(v);
    else if (k == "--rows")
      o.rows = std::atoi(v);
    else if (k == "--seconds")
      o.seconds = std::atof(v);
    else {
      std::fprintf(stderr, "fleet_publisher: unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  if (o.sites < 1 || o.messages_per_s <= 0 || o.rows < 1 || o.seconds <= 0) {
    std::fprintf(stderr, "fleet_publisher: --sites, --messages-per-s, --rows, --seconds > 0\n");
    std::exit(2);
  }
  return o;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  mosquitto_lib_init();
  std::mt19937 random(7);

  Site consumer;
  consumer.id = "central-consumer";
  consumer.m = mosquitto_new(consumer.id.c_str(), true, &consumer);
  mosquitto_connect_callback_set(consumer.m, [](mosquitto* m, void* obj, int rc) {
    if (rc != 0) return;
    static_cast<Site*>(obj)->connected = true;
    mosquitto_subscribe(m, nullptr, "fleet/+/telemetry", 1);
  });
  mosquitto_message_callback_set(consumer.m, on_message);
  if (mosquitto_connect(consumer.m, "127.0.0.1", o.port, 60) != MOSQ_ERR_SUCCESS) {
    std::fprintf(stderr, "fleet_publisher: cannot connect the consumer\n");
    return 1;
  }

  std::vector<Site> sites(static_cast<std::size_t>(o.sites));
  std::vector<Site*> all{&consumer};
  const double period_s = o.sites / o.messages_per_s;
  std::uniform_real_distribution<double> phase(0.0, period_s);
  const auto start = Clock::now() + std::chrono::seconds{2};  // connections first
  for (int i = 0; i < o.sites; ++i) {
    auto& s = sites[static_cast<std::size_t>(i)];
    s.id = "site-" + std::to_string(i);
    s.run = bessd::storage::new_run_token();
    s.topic = o.prefix + "/" + s.id + "/telemetry";
    s.m = mosquitto_new((s.id + "-uplink").c_str(), true, &s);
    mosquitto_connect_callback_set(s.m, on_connect);
    mosquitto_publish_callback_set(s.m, on_publish);
    if (mosquitto_connect_async(s.m, "127.0.0.1", o.port, 60) != MOSQ_ERR_SUCCESS)
      ++figures.connect_failures;
    s.next = start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(phase(random)));
    all.push_back(&s);
  }

  const auto period =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(period_s));
  const auto stop_sending =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  while (Clock::now() < stop_sending) {
    service(all, 2);
    const auto now = Clock::now();
    for (auto& s : sites) {
      if (now < s.next) continue;
      s.next += period;
      if (!s.connected || !s.in_flight.empty()) {  // one in flight, as bessd: this one waits
        ++figures.not_sent;
        continue;
      }
      const auto rows = rows_for(s, o.rows, random);
      const auto payload = bessd::app::telemetry_batch_json(
          s.id, {rows.front().seq - 1, rows.back().seq, 0}, rows, bessd::WallClock::now());
      int mid = 0;
      if (mosquitto_publish(s.m, &mid, s.topic.c_str(), static_cast<int>(payload.size()),
                            payload.data(), 1, false) != MOSQ_ERR_SUCCESS) {
        ++figures.not_sent;
        s.seq = rows.front().seq - 1;
        continue;
      }
      s.in_flight[mid] = now;
      ++figures.sent;
      figures.bytes += payload.size();
    }
  }
  // Drain: every acknowledgement, and every message to the consumer.
  const auto drain_until = Clock::now() + std::chrono::seconds{15};
  std::uint64_t rows_sent = 0;
  for (auto& s : sites) rows_sent += static_cast<std::uint64_t>(s.seq);
  while (Clock::now() < drain_until &&
         (figures.acked < figures.sent || figures.rows_stored < rows_sent))
    service(all, 5);

  std::uint64_t connected = 0;
  for (auto& s : sites) connected += s.connected ? 1 : 0;
  const nlohmann::json out{
      {"sites", o.sites},
      {"connected", connected},
      {"seconds", o.seconds},
      {"messages_sent", figures.sent},
      {"messages_acknowledged", figures.acked},
      {"messages_skipped", figures.not_sent},
      {"messages_per_s", static_cast<double>(figures.sent) / o.seconds},
      {"payload_bytes_per_message",
       figures.sent ? static_cast<double>(figures.bytes) / static_cast<double>(figures.sent) : 0},
      {"payload_bytes_per_s", static_cast<double>(figures.bytes) / o.seconds},
      {"rows_sent", rows_sent},
      {"rows_stored_once", figures.rows_stored},
      {"rows_never_received", rows_sent - std::min(rows_sent, figures.rows_stored)},
      {"duplicate_rows", figures.duplicate_rows},
      {"ack_ms_p50", percentile(figures.ack_ms, 0.50)},
      {"ack_ms_p99", percentile(figures.ack_ms, 0.99)},
      {"ack_ms_max", percentile(figures.ack_ms, 1.0)},
      {"connect_failures", figures.connect_failures}};
  std::printf("%s\n", out.dump().c_str());
  for (auto* s : all) {
    mosquitto_disconnect(s->m);
    mosquitto_destroy(s->m);
  }
  mosquitto_lib_cleanup();
  return 0;
}
