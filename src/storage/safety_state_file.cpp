#include <bessd/storage/safety_state_file.hpp>

#include <bessd/common/errno_text.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include <boost/crc.hpp>
#include <nlohmann/json.hpp>

namespace bessd::storage {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "bessd-safety-state";
constexpr int kFormat = 1;

std::uint32_t crc32_of(std::string_view body) {
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  return crc.checksum();
}

Failure io_failure(const fs::path& path, std::string_view what, int err) {
  return fail(ErrorCode::io_error,
              path.string() + ": " + std::string(what) + ": " + errno_text(err));
}

// write(2) until done; EINTR retried.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

Status fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_failure(dir, "open directory for fsync", errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_failure(dir, "fsync directory", err);
  return {};
}

// Writes `text` to `path` so that `path` is always either the old or the new content. The
// rename is the commit: `may_commit`, asked just before it, can still withhold the new content
// (false: the temporary file is removed, the old content stays, and the result is false).
Result<bool> replace_file(const fs::path& path, std::string_view text,
                          const std::function<bool()>& may_commit = {},
                          const std::function<void()>& on_committed = {}) {
  const fs::path tmp = path.string() + ".tmp";
  // O_NOFOLLOW: a symbolic link planted at the temporary name is refused, never written through.
  // O_NONBLOCK and the type check: a named pipe or device there fails at once; it must never
  // hold the control loop in open(2) or write(2).
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640);
  if (fd < 0) return io_failure(tmp, "create", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCode::storage_error,
                tmp.string() + " is not a regular file; remove it (bessd creates it itself)");
  }
  if (!write_all(fd, text)) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_failure(tmp, "write", err);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_failure(tmp, "fsync", err);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_failure(tmp, "close", err);
  }
  if (may_commit && !may_commit()) {
    ::unlink(tmp.c_str());
    return false;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_failure(path, "rename into place", err);
  }
  if (on_committed) on_committed();
  if (auto synced = fsync_dir(path.parent_path()); !synced) return Failure{synced.error()};
  return true;
}

// The state file's text, read without following links or waiting on a pipe, and bounded: the
// file holds a few latches and a mode, so anything larger is not a state this daemon wrote.
constexpr std::size_t kMaxStateFileBytes = 1 << 20;

Result<std::string> read_state_text(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return fail(ErrorCode::storage_error,
                "cannot read " + path.string() + ": " + errno_text(errno));
  struct stat st {};
  std::string why;
  if (::fstat(fd, &st) != 0)
    why = "cannot read " + path.string() + ": " + errno_text(errno);
  else if (!S_ISREG(st.st_mode))
    why = path.string() + " is not a regular file";
  else if (static_cast<std::size_t>(st.st_size) > kMaxStateFileBytes)
    why = path.string() + " is " + std::to_string(st.st_size) +
          " bytes, more than a safety state can be (" + std::to_string(kMaxStateFileBytes) + ")";
  std::string text;
  while (why.empty()) {
    char buf[8192];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) why = "cannot read " + path.string() + ": " + errno_text(errno);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxStateFileBytes) why = path.string() + " grew while being read";
  }
  ::close(fd);
  if (!why.empty()) return fail(ErrorCode::storage_error, why);
  return text;
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A new store's id: random, so that two installations (or a reset one) never share one.
std::string new_store_id() {
  std::random_device rd;
  const std::uint64_t v = (std::uint64_t{rd()} << 32) ^ rd();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
  return text;
}

nlohmann::json to_json(const SafetyState& state, const SafetyStateStamp& stamp) {
  nlohmann::json latches = nlohmann::json::array();
  for (const auto& l : state.latches)
    latches.push_back({{"id", l.id}, {"reason", l.reason}, {"raised_unix_ms", l.raised_unix_ms}});
  nlohmann::json trips = nlohmann::json::array();
  for (const auto& t : state.trips)
    trips.push_back({{"id", t.id},
                     {"charge", t.charge},
                     {"discharge", t.discharge},
                     {"at_unix_ms", t.at_unix_ms}});
  nlohmann::json j{{"format", kFormat},
                   {"store_id", stamp.store_id},
                   {"generation", stamp.generation},
                   {"latches", latches},
                   {"trips", trips}};
  if (state.mode) {
    const auto& m = *state.mode;
    nlohmann::json mode{{"mode", m.mode},
                        {"manual_setpoint_w", m.manual_setpoint_w},
                        {"set_by", m.set_by},
                        {"set_unix_ms", m.set_unix_ms}};
    if (m.target_grid_w) mode["target_grid_w"] = *m.target_grid_w;
    if (m.expires_unix_ms) mode["expires_unix_ms"] = *m.expires_unix_ms;
    j["mode"] = mode;
  } else {
    j["mode"] = nullptr;
  }
  // Absent rather than null when none: a version before settings existed reads the file alike.
  if (state.settings) {
    const auto& o = *state.settings;
    nlohmann::json settings{{"set_by", o.set_by}, {"set_unix_ms", o.set_unix_ms}};
    if (o.reserve_soc_pct) settings["reserve_soc_pct"] = *o.reserve_soc_pct;
    if (o.target_soc_pct) settings["target_soc_pct"] = *o.target_soc_pct;
    j["settings"] = settings;
  }
  return j;
}

DecodedSafetyState from_json(const nlohmann::json& j) {
  if (j.at("format").get<int>() != kFormat)
    throw std::runtime_error("unknown format " + j.at("format").dump());
  DecodedSafetyState decoded;
  // Files written before stamps existed have no store id (a new one is made at the next write).
  if (j.contains("store_id")) decoded.stamp.store_id = j.at("store_id").get<std::string>();
  decoded.stamp.generation = j.at("generation").get<std::uint64_t>();
  SafetyState& s = decoded.state;
  for (const auto& l : j.at("latches"))
    s.latches.push_back(SafetyLatch{l.at("id").get<std::string>(),
                                    l.at("reason").get<std::string>(),
                                    l.at("raised_unix_ms").get<std::int64_t>()});
  // Files written before trips were stored have none (the count starts afresh once).
  if (j.contains("trips"))
    for (const auto& t : j.at("trips"))
      s.trips.push_back(SafetyTrip{t.at("id").get<std::string>(), t.at("charge").get<bool>(),
                                   t.at("discharge").get<bool>(),
                                   t.at("at_unix_ms").get<std::vector<std::int64_t>>()});
  const auto& m = j.at("mode");
  if (!m.is_null()) {
    SafetyMode mode;
    mode.mode = m.at("mode").get<std::string>();
    mode.manual_setpoint_w = m.at("manual_setpoint_w").get<double>();
    mode.set_by = m.at("set_by").get<std::string>();
    mode.set_unix_ms = m.at("set_unix_ms").get<std::int64_t>();
    if (m.contains("target_grid_w")) mode.target_grid_w = m.at("target_grid_w").get<double>();
    if (m.contains("expires_unix_ms"))
      mode.expires_unix_ms = m.at("expires_unix_ms").get<std::int64_t>();
    s.mode = std::move(mode);
  }
  // Null as absent: "no settings", as for the mode.
  if (j.contains("settings") && !j.at("settings").is_null()) {
    const auto& o = j.at("settings");
    SafetySettings settings;
    settings.set_by = o.at("set_by").get<std::string>();
    settings.set_unix_ms = o.at("set_unix_ms").get<std::int64_t>();
    if (o.contains("reserve_soc_pct"))
      settings.reserve_soc_pct = o.at("reserve_soc_pct").get<double>();
    if (o.contains("target_soc_pct"))
      settings.target_soc_pct = o.at("target_soc_pct").get<double>();
    s.settings = std::move(settings);
  }
  return decoded;
}

}  // namespace

std::string encode_safety_state(const SafetyState& state, const SafetyStateStamp& stamp) {
  const std::string body = to_json(state, stamp).dump(2) + "\n";
  char header[96];
  std::snprintf(header, sizeof header, "%s %d length=%zu crc32=%08x\n", kMagic.data(), kFormat,
                body.size(), crc32_of(body));
  return header + body;
}

Result<DecodedSafetyState> decode_safety_state(const std::string& text) {
  const auto eol = text.find('\n');
  if (eol == std::string::npos) return fail(ErrorCode::parse_error, "no header line");
  const std::string header = text.substr(0, eol);
  const std::string body = text.substr(eol + 1);
  int format = 0;
  std::size_t length = 0;
  unsigned crc = 0;
  char magic[32] = {};
  if (std::sscanf(header.c_str(), "%31s %d length=%zu crc32=%8x", magic, &format, &length, &crc) !=
          4 ||
      magic != kMagic)
    return fail(ErrorCode::parse_error, "bad header line '" + header.substr(0, 80) + "'");
  if (format != kFormat)
    return fail(ErrorCode::parse_error, "unknown format " + std::to_string(format));
  if (body.size() != length)
    return fail(ErrorCode::parse_error, "body is " + std::to_string(body.size()) +
                                            " bytes, the header says " + std::to_string(length) +
                                            " (truncated or appended to)");
  if (crc32_of(body) != crc) return fail(ErrorCode::parse_error, "CRC-32 mismatch (damaged)");
  try {
    return from_json(nlohmann::json::parse(body));
  } catch (const std::exception& e) {
    return fail(ErrorCode::parse_error, std::string("bad content: ") + e.what());
  }
}

SafetyStateFile::SafetyStateFile(fs::path path) : path_(std::move(path)) {}

fs::path SafetyStateFile::marker_path() const {
  fs::path m = path_;
  m.replace_extension(".marker");
  return m;
}

fs::path SafetyStateFile::unconfirmed_path() const {
  return path_.string() + ".unconfirmed";
}

void SafetyStateFile::continue_after(std::uint64_t generation) {
  generation_ = std::max(generation_, generation);
}

std::optional<SafetyState> SafetyStateFile::read_unconfirmed() const {
  auto text = read_state_text(unconfirmed_path());
  if (!text) return std::nullopt;
  auto decoded = decode_safety_state(*text);
  if (!decoded) return std::nullopt;
  return std::move(decoded->state);
}

bool SafetyStateFile::marker_exists() const {
  // Anything at the marker's name that cannot be checked counts as "has run here": a missing
  // state then reads as lost, never as a fresh install (unknown means latched).
  std::error_code ec;
  const auto status = fs::symlink_status(marker_path(), ec);
  if (ec) return ec != std::errc::no_such_file_or_directory;
  return status.type() != fs::file_type::not_found;
}

SafetyStateOpened SafetyStateFile::open() {
  SafetyStateOpened out;
  stamp_ = SafetyStateStamp{new_store_id(), 0};
  generation_ = 0;
  std::error_code ec;
  unconfirmed_exists_ = fs::exists(fs::symlink_status(unconfirmed_path(), ec));
  const bool exists = fs::exists(path_, ec);
  if (ec) {
    out.origin = SafetyStateOrigin::lost;
    out.lost_reason = "cannot check " + path_.string() + ": " + ec.message();
    return out;
  }
  if (!exists) {
    if (unconfirmed_exists_) {
      // A write failed in a previous run and moved the file aside: its latches are known.
      out.origin = SafetyStateOrigin::lost;
      out.unconfirmed = read_unconfirmed();
      out.lost_reason = path_.string() + " is missing: a write failed in a previous run and " +
                        "moved it aside to " + unconfirmed_path().string() +
                        (out.unconfirmed ? "" : " (which cannot be read either)");
    } else if (marker_exists()) {
      out.origin = SafetyStateOrigin::lost;
      out.lost_reason = path_.string() + " is missing although bessd has run here before (" +
                        marker_path().string() + " exists)";
    } else {
      out.origin = SafetyStateOrigin::fresh_install;
    }
    return out;
  }
  auto text = read_state_text(path_);
  if (!text) {
    out.origin = SafetyStateOrigin::lost;
    out.lost_reason = text.error().message;
    return out;
  }
  auto decoded = decode_safety_state(*text);
  if (!decoded) {
    out.origin = SafetyStateOrigin::lost;
    const fs::path aside = path_.string() + ".corrupt-" + std::to_string(unix_ms_now());
    fs::rename(path_, aside, ec);
    out.lost_reason = path_.string() + " is damaged (" + decoded.error().message + ")" +
                      (ec ? "" : "; kept as " + aside.string());
    return out;
  }
  out.origin = SafetyStateOrigin::restored;
  out.state = std::move(decoded->state);
  out.stamp = decoded->stamp;
  generation_ = decoded->stamp.generation;
  if (!decoded->stamp.store_id.empty()) stamp_ = decoded->stamp;
  marker_written_ = marker_exists();
  return out;
}

Status SafetyStateFile::write_marker() {
  auto written =
      replace_file(marker_path(), "bessd has run here: if " + path_.filename().string() +
                                      " is missing, its safety state was lost and bessd starts "
                                      "latched.\n");
  if (!written) return Failure{written.error()};
  return {};
}

Status SafetyStateFile::save(const SafetyState& state) {
  auto saved = save_if(state, {});
  if (!saved) return Failure{saved.error()};
  return {};
}

Result<bool> SafetyStateFile::save_if(const SafetyState& state,
                                      const std::function<bool()>& may_commit,
                                      const std::function<void()>& on_committed) {
  Status st{};
  if (!marker_written_) {
    st = write_marker();
    if (st) marker_written_ = true;
  }
  const SafetyStateStamp next{stamp_.store_id, ++generation_};
  Result<bool> saved =
      st ? replace_file(path_, encode_safety_state(state, next), may_commit, on_committed)
         : Result<bool>{Failure{st.error()}};
  if (!saved) {
    move_aside_after_failure();
    return saved;
  }
  if (*saved) {
    stamp_ = next;
    // Written: what a failed write moved aside is older than this.
    if (unconfirmed_exists_ && ::unlink(unconfirmed_path().c_str()) == 0)
      unconfirmed_exists_ = false;
  }
  return saved;
}

// The file on disk no longer matches what the daemon decided: move it aside, so that a restart
// reports the state as lost instead of resuming an older one, but still knows which faults it
// held. A rename needs no free space; should it fail, removing the file still makes a restart
// "lost" (and on a read-only folder neither works: the start-up rewrite then fails too).
void SafetyStateFile::move_aside_after_failure() {
  if (::rename(path_.c_str(), unconfirmed_path().c_str()) == 0) {
    unconfirmed_exists_ = true;
    (void)fsync_dir(path_.parent_path());
  } else if (errno != ENOENT && ::unlink(path_.c_str()) == 0) {
    (void)fsync_dir(path_.parent_path());
  }
}

}  // namespace bessd::storage
