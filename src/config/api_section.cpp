#include <bessd/config/sections.hpp>

namespace bessd::config {

void read_api(ObjectReader& in, ApiConfig& out) {
  {
    auto u = in.object("unix_socket");
    u.boolean("enabled", out.unix_socket.enabled);
    if (u.string("path", out.unix_socket.path, Presence::optional, false)) {
      // What bind() would refuse at start: say so now (and in --check-config), with the limit.
      const auto& path = out.unix_socket.path;
      constexpr std::size_t kSunPathMax = 107;  // sizeof(sockaddr_un::sun_path) - 1 on Linux
      if (path.empty() || path.front() != '/')
        u.issues().add(
            u.child_pointer("path"),
            "must be an absolute path such as \"/run/bessd/api.sock\", got \"" + path + "\"");
      else if (path.size() > kSunPathMax)
        u.issues().add(u.child_pointer("path"),
                       "is " + std::to_string(path.size()) +
                           " bytes long; a Unix socket path can have at most " +
                           std::to_string(kSunPathMax) + " (choose a shorter folder)");
    }
    // Octal modes are written as strings ("0660"): JSON has no octal numbers.
    std::string mode;
    if (u.string("mode", mode)) {
      // Exactly the schema's "^0?[0-7]{1,3}$": no sign, no spaces, nothing after.
      const bool octal = !mode.empty() && mode.size() <= 4 &&
                         (mode.size() < 4 || mode.front() == '0') &&
                         mode.find_first_not_of("01234567") == std::string::npos;
      if (!octal) {
        u.issues().add(u.child_pointer("mode"),
                       "must be an octal file mode such as \"0660\", got \"" + mode + "\"");
      } else {
        out.unix_socket.mode = std::stol(mode, nullptr, 8);
      }
    }
    u.string("group", out.unix_socket.group);
    u.string("read_group", out.unix_socket.read_group);
    u.finish();
  }
  {
    auto t = in.object("tcp");
    auto& tcp = out.tcp;
    t.boolean("enabled", tcp.enabled);
    t.string("address", tcp.address, Presence::optional, false);
    t.integer("port", tcp.port, 1, 65535);
    t.string("token_file", tcp.token_file, tcp.enabled ? Presence::required : Presence::optional,
             !tcp.enabled);
    t.boolean("allow_remote", tcp.allow_remote);
    tcp.allowed_hosts.clear();
    t.array("allowed_hosts", [&](const Json& item, const std::string& ptr) {
      // "name" or "name:port" (docs/api.md "Host check"); no scheme, no path.
      const bool ok = item.is_string() && !item.get<std::string>().empty() &&
                      item.get<std::string>().find_first_of("/ \t@") == std::string::npos;
      if (ok)
        tcp.allowed_hosts.push_back(item.get<std::string>());
      else
        t.issues().add(ptr,
                       "must be a host name or address, optionally with :port "
                       "(\"bess.example.org\", \"192.0.2.7:8470\"), got " +
                           config::describe_json(item));
    });
    t.integer("max_connections", tcp.max_connections, 1, 10'000);
    t.integer("max_unauthenticated_connections", tcp.max_unauthenticated_connections, 1, 10'000);
    t.integer("auth_timeout_ms", tcp.auth_timeout_ms, 100, 60'000);
    if (tcp.max_unauthenticated_connections > tcp.max_connections)
      t.issues().add(
          t.child_pointer("max_unauthenticated_connections"),
          "must not exceed /api/tcp/max_connections (" + std::to_string(tcp.max_connections) + ")");
    t.finish();
  }
  in.integer("max_connections", out.max_connections, 1, 10'000);
  in.integer("max_body_bytes", out.max_body_bytes, 1024, 1 << 20);
  in.integer("read_timeout_ms", out.read_timeout_ms, 100, 600'000);
  {
    auto w = in.object("write_rate");
    w.number("per_second", out.write_rate.per_second, NumberRange::between(0.01, 1000));
    w.integer("burst", out.write_rate.burst, 1, 10'000);
    w.finish();
  }
  {
    auto d = in.object("dashboard");
    auto& dash = out.dashboard;
    d.boolean("enabled", dash.enabled);
    d.string("www_dir", dash.www_dir, Presence::optional, false);
    d.string("dygraphs_dir", dash.dygraphs_dir, Presence::optional, false);
    d.integer("session_lifetime_s", dash.session_lifetime_s, 300, 604'800);
    d.boolean("secure_cookie", dash.secure_cookie);
    // A browser reaches bessd over TCP only (docs/api.md "Dashboard sessions").
    if (dash.enabled && !out.tcp.enabled)
      d.issues().add(d.child_pointer("enabled"),
                     "needs /api/tcp/enabled: a browser cannot reach the Unix socket; enable the "
                     "TCP listener (with its token_file) or turn the dashboard off");
    for (const auto* key : {"www_dir", "dygraphs_dir"}) {
      const std::string& dir =
          std::string_view(key) == "www_dir" ? dash.www_dir : dash.dygraphs_dir;
      if (dash.enabled && (dir.empty() || dir.front() != '/'))
        d.issues().add(d.child_pointer(key), "must be an absolute path, got \"" + dir + "\"");
    }
    d.finish();
  }
  if (!out.unix_socket.enabled && !out.tcp.enabled) {
    in.issues().add(in.pointer(), "at least one of unix_socket and tcp must be enabled");
  }
  in.finish();
}

}  // namespace bessd::config
