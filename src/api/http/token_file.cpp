#include <bessd/api/http/token_file.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bessd/api/http/http_server.hpp>
#include <bessd/common/errno_text.hpp>

namespace bessd::api::http {

namespace {

constexpr std::size_t kMinHexSecret = 32;     // 32 x 4 bits
constexpr std::size_t kMinBase64Secret = 22;  // 22 x 6 bits = 132 bits
constexpr std::size_t kMaxNameLength = 64;

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_name_char(char c) {
  return is_base64url(c) || c == '.';
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

/// Empty when the secret is strong enough, else why not.
std::string secret_problem(std::string_view secret) {
  if (!std::all_of(secret.begin(), secret.end(), is_base64url))
    return "the secret may only contain A-Z a-z 0-9 - _ (base64url or hex)";
  const bool hex = std::all_of(secret.begin(), secret.end(), is_hex);
  const std::size_t need = hex ? kMinHexSecret : kMinBase64Secret;
  if (secret.size() < need)
    return "the secret is weaker than 128 bits: " + std::to_string(secret.size()) +
           (hex ? " hex digits, use at least 32" : " characters, use at least 22") +
           " (e.g. head -c 32 /dev/urandom | basenc --base64url | tr -d '=')";
  // Length alone lets "aaaa..." through. A random secret of this length repeats no pattern of
  // 8 characters or fewer and uses far more than 8 distinct characters; a typed one does not.
  std::array<bool, 256> seen{};
  std::size_t distinct = 0;
  for (const char c : secret) distinct += !std::exchange(seen[static_cast<unsigned char>(c)], true);
  bool periodic = false;
  for (std::size_t period = 1; period <= 8 && !periodic; ++period) {
    periodic = true;
    for (std::size_t i = period; i < secret.size() && periodic; ++i)
      periodic = secret[i] == secret[i - period];
  }
  if (distinct < 8 || periodic)
    return "the secret does not look random (" + std::to_string(distinct) + " distinct characters" +
           (periodic ? ", a repeated pattern" : "") +
           "): generate one, e.g. head -c 32 /dev/urandom | basenc --base64url | tr -d '='";
  return {};
}

}  // namespace

std::vector<Credential> parse_token_text(std::string_view text,
                                         std::vector<TokenFileProblem>& problems) {
  struct Line {
    std::size_t number;
    std::vector<std::string_view> fields;
  };
  std::vector<Line> lines;
  std::size_t number = 0;
  while (!text.empty() || number == 0) {
    ++number;
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto fields = split_fields(line);
    if (!fields.empty() && fields.front().front() != '#') lines.push_back({number, fields});
    if (text.empty()) break;
  }
  std::vector<Credential> out;
  if (lines.empty()) {
    problems.push_back({0, "no token in the file (lines are \"name scope secret\")"});
    return out;
  }
  // The format before scopes: one bare secret, a control token.
  if (lines.size() == 1 && lines.front().fields.size() == 1) {
    const std::string secret(lines.front().fields.front());
    if (auto why = secret_problem(secret); !why.empty()) {
      problems.push_back({lines.front().number, why});
      return out;
    }
    out.push_back({"default", Scope::control, secret});
    return out;
  }
  std::set<std::string, std::less<>> names;
  std::set<std::string, std::less<>> secrets;
  for (const auto& [n, fields] : lines) {
    if (fields.size() != 3) {
      problems.push_back({n, "expected \"name scope secret\", got " +
                                 std::to_string(fields.size()) + " field(s)"});
      continue;
    }
    const std::string_view name = fields[0];
    const std::string_view scope_text = fields[1];
    const std::string_view secret = fields[2];
    bool ok = true;
    if (name.size() > kMaxNameLength || !std::all_of(name.begin(), name.end(), is_name_char)) {
      problems.push_back({n, "token name \"" + std::string(name) +
                                 "\" must be 1-64 characters of A-Z a-z 0-9 . - _"});
      ok = false;
    } else if (!names.insert(std::string(name)).second) {
      problems.push_back({n, "token name \"" + std::string(name) + "\" is used twice"});
      ok = false;
    }
    Scope scope = Scope::read;
    if (const auto named = enum_from_name(kScopeNames, scope_text)) {
      scope = *named;
    } else {
      problems.push_back({n, "scope of \"" + std::string(name) +
                                 "\" must be read or control, got \"" + std::string(scope_text) +
                                 "\""});
      ok = false;
    }
    if (auto why = secret_problem(secret); !why.empty()) {
      problems.push_back({n, "token \"" + std::string(name) + "\": " + why});
      ok = false;
    } else if (!secrets.insert(std::string(secret)).second) {
      problems.push_back(
          {n, "token \"" + std::string(name) + "\" has the secret of another token"});
      ok = false;
    }
    if (ok) out.push_back({std::string(name), scope, std::string(secret)});
  }
  return out;
}

Result<std::vector<Credential>> read_token_file(const std::string& path) {
  const auto refuse = [&](ErrorCode code, const std::string& what) {
    return fail(code, "api token file " + path + ": " + what);
  };
  // O_NOFOLLOW: a symbolic link (which someone could point elsewhere) is refused, and fstat
  // checks the very file that is read. O_NONBLOCK: a named pipe in its place would block the
  // open (and the reload, and the stop after it) until a writer came; now fstat refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP)
      return refuse(ErrorCode::permission_denied,
                    "is a symbolic link; point api.tcp.token_file at the file itself");
    return refuse(errno == ENOENT ? ErrorCode::not_found : ErrorCode::io_error, errno_text(errno));
  }
  struct stat st {};
  std::string text;
  bool read_ok = ::fstat(fd, &st) == 0;
  if (read_ok && S_ISREG(st.st_mode)) {
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() < (1U << 20))
      text.append(buf, static_cast<std::size_t>(n));
    read_ok = n >= 0;
  }
  const int err = errno;
  ::close(fd);
  if (!read_ok) return refuse(ErrorCode::io_error, errno_text(err));
  if (!S_ISREG(st.st_mode)) return refuse(ErrorCode::invalid_argument, "is not a regular file");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return refuse(ErrorCode::permission_denied,
                  "is writable by its group or by everyone; chmod 0640 " + path);
  if ((st.st_mode & S_IROTH) != 0)
    return refuse(ErrorCode::permission_denied,
                  "is readable by everyone; chmod 0640 " + path + " (or 0600)");
  const passwd* packaged = ::getpwnam("bessd");  // at start-up only, never per request
  const bool owner_ok = st.st_uid == 0 || st.st_uid == ::geteuid() ||
                        (packaged != nullptr && st.st_uid == packaged->pw_uid);
  if (!owner_ok)
    return refuse(ErrorCode::permission_denied,
                  "is owned by uid " + std::to_string(st.st_uid) +
                      ", not by root or the daemon's user; chown root:bessd " + path);
  std::vector<TokenFileProblem> problems;
  auto tokens = parse_token_text(text, problems);
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) {
      if (!message.empty()) message += "\n";
      message += "api token file " + path;
      if (p.line > 0) message += ":" + std::to_string(p.line);
      message += ": " + p.message;
    }
    return fail(ErrorCode::invalid_argument, message);
  }
  return tokens;
}

const Credential* match_token(const std::vector<Credential>& tokens, std::string_view presented) {
  const Credential* found = nullptr;
  for (const auto& t : tokens)  // no early exit
    if (constant_time_equal(t.secret, presented)) found = &t;
  return found;
}

}  // namespace bessd::api::http
