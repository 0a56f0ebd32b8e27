#pragma once
// Small helpers for HTTP header values (RFC 9110, 5.6.3): shared by the request checks, the
// dashboard's files and its sessions.

#include <string_view>

namespace bessd::api::http {

/// `s` without the optional whitespace (spaces and tabs) around it.
constexpr std::string_view trim_ows(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace bessd::api::http
