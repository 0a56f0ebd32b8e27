#include <bessd/api/http/host_allow_list.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace bessd::api::http {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::optional<HostAllowList::Entry> HostAllowList::parse(std::string_view text) {
  Entry e;
  std::string_view name = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    name = text.substr(1, close - 1);
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    if (text.find(':', colon + 1) != std::string_view::npos) {
      name = text;  // a bare IPv6 literal (only in our own entries)
    } else {
      name = text.substr(0, colon);
      port = text.substr(colon + 1);
    }
  }
  if (name.empty()) return std::nullopt;
  e.name = lower(name);
  if (!port.empty() || (!text.empty() && text.back() == ':')) {
    std::uint16_t p = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || ptr != port.data() + port.size()) return std::nullopt;
    e.port = p;
  }
  return e;
}

HostAllowList::HostAllowList(const std::string& listen_address, std::uint16_t port,
                             const std::vector<std::string>& extra) {
  entries_.push_back({lower(listen_address), port});
  entries_.push_back({"localhost", port});
  for (const auto& text : extra)
    if (auto e = parse(text)) entries_.push_back(std::move(*e));
}

bool HostAllowList::allows(std::string_view host) const {
  const auto got = parse(host);
  if (!got) return false;
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return e.name == got->name && (!e.port || !got->port || *e.port == *got->port);
  });
}

}  // namespace bessd::api::http
