#pragma once
#include <cstdint>
#include <string>

namespace bessd::config {

struct UnixSocketConfig {
  bool enabled{true};
  std::string path{"/run/bessd/api.sock"};
  std::int64_t mode{0660};
  std::string group{"bessd"};
};

struct TcpListenerConfig {
  bool enabled{false};
  std::string address{"127.0.0.1"};
  std::int64_t port{8470};
  std::string token_file;  // required when enabled
};

struct ApiConfig {
  UnixSocketConfig unix_socket;
  TcpListenerConfig tcp;
  std::int64_t max_connections{32};
  std::int64_t max_body_bytes{65536};
  std::int64_t read_timeout_ms{5000};
};

}  // namespace bessd::config
