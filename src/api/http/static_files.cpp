#include <bessd/api/http/static_files.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <bessd/api/error_response.hpp>
#include <bessd/api/http/header_text.hpp>
#include <bessd/common/errno_text.hpp>

namespace bessd::api::http {

namespace {

bool is_served_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// FNV-1a, 64 bits: an ETag only has to change when the contents do.
std::string content_hash(std::string_view data) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

StaticFile make_file(std::string_view name, std::string body) {
  StaticFile f;
  f.content_type = std::string(content_type_for(name));
  const std::string hash = content_hash(body);
  f.etag = "\"" + hash + "\"";
  f.gzip_etag = "\"" + hash + "-gzip\"";
  std::string packed = gzip_compress(body);
  if (packed.size() < body.size()) f.gzip = std::move(packed);
  f.body = std::move(body);
  return f;
}

// Reads a regular file of at most `room` bytes; the error names the path.
Result<std::string> read_file(const std::string& path, std::size_t room) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(ErrorCode::io_error, path + ": cannot read it: " + errno_text(errno));
  struct stat st {};
  std::string out;
  std::string error;
  if (::fstat(fd, &st) != 0) {
    error = path + ": " + errno_text(errno);
  } else if (!S_ISREG(st.st_mode)) {
    error = path + ": not a regular file";
  } else if (static_cast<std::size_t>(st.st_size) > room) {
    error = path + ": too large";  // the caller says the limit
  } else {
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
      const auto n = ::read(fd, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = path + ": reading it: " + errno_text(errno);
        break;
      }
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    out.resize(done);
  }
  ::close(fd);
  if (!error.empty()) return fail(ErrorCode::io_error, error);
  return out;
}

std::string too_large(std::size_t limit) {
  return "the dashboard's files together exceed " +
         std::to_string(limit / (std::size_t{1024} * 1024)) +
         " MiB, the most bessd keeps in memory; remove what the page does not need";
}

}  // namespace

std::string gzip_compress(std::string_view data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("gzip: deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const auto written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: deflate did not finish");
  out.resize(written);
  return out;
}

Result<StaticFiles> StaticFiles::load(const std::string& www_dir, const std::string& dygraphs_dir) {
  StaticFiles out;
  std::size_t total = 0;
  const auto add = [&](const std::string& name, const std::string& path,
                       const std::string& key) -> Status {
    auto body = read_file(path, kMaxTotalBytes - total);
    if (!body) {
      const bool big = body.error().message.ends_with(": too large");
      auto failure =
          fail(ErrorCode::invalid_argument,
               "api dashboard " + key + ": " +
                   (big ? path + ": " + too_large(kMaxTotalBytes) : body.error().message));
      failure.error.config_pointer = "/api/dashboard/" + key;
      return failure;
    }
    total += body->size();
    out.files_[name] = make_file(name, std::move(*body));
    return {};
  };
  const std::string index = www_dir + "/index.html";
  if (auto st = add("index.html", index, "www_dir"); !st) {
    Error e = st.error();
    e.message += " (api.dashboard.www_dir must be the folder of the dashboard's index.html)";
    return Failure{std::move(e)};
  }
  std::error_code ec;
  std::vector<std::string> names;
  for (std::filesystem::directory_iterator it(www_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (name == "index.html" || !is_served_name(name) || !it->is_regular_file(type_ec)) continue;
    names.push_back(name);
  }
  if (ec) {
    auto failure = fail(ErrorCode::invalid_argument,
                        "api dashboard www_dir: " + www_dir + ": cannot list it: " + ec.message());
    failure.error.config_pointer = "/api/dashboard/www_dir";
    return failure;
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names)
    if (auto st = add(name, www_dir + "/" + name, "www_dir"); !st) return Failure{st.error()};
  for (const char* name : kDygraphsFiles) {
    const std::string path = dygraphs_dir + "/" + name;
    if (auto st = add(std::string("lib/") + name, path, "dygraphs_dir"); !st) {
      Error e = st.error();
      e.message +=
          "; the dashboard draws its charts with dygraphs: install libjs-dygraphs "
          "(apt install libjs-dygraphs) or set api.dashboard.dygraphs_dir";
      return Failure{std::move(e)};
    }
  }
  return out;
}

StaticFiles StaticFiles::from_contents(const std::map<std::string, std::string>& files) {
  StaticFiles out;
  for (const auto& [name, body] : files) out.files_[name] = make_file(name, body);
  return out;
}

const StaticFile* StaticFiles::find(std::string_view name) const {
  const auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

bool is_static_path(std::string_view path) noexcept {
  return path == "/" || path.starts_with("/ui/");
}

std::string_view content_type_for(std::string_view name) noexcept {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json") return "application/json";
  if (ext == "webmanifest") return "application/manifest+json";
  return "application/octet-stream";
}

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lx = static_cast<char>(x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x);
           const auto ly = static_cast<char>(y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
           return lx == ly;
         });
}

// A qvalue is "0" to "1" with up to three decimals (RFC 9110, 12.4.2): zero when every digit
// is 0. Anything unreadable counts as acceptable, as q=1.
bool q_is_zero(std::string_view params) {
  while (!params.empty()) {
    const auto semi = params.find(';');
    const std::string_view p = trim_ows(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    const auto eq = p.find('=');
    if (eq == std::string_view::npos || !iequal(trim_ows(p.substr(0, eq)), "q")) continue;
    const std::string_view v = trim_ows(p.substr(eq + 1));
    return !v.empty() && v.find_first_not_of("0.") == std::string_view::npos && v.front() == '0';
  }
  return false;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) noexcept {
  std::optional<bool> gzip;
  bool star = false;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const auto semi = item.find(';');
    const std::string_view coding = trim_ows(item.substr(0, semi));
    const bool zero = semi != std::string_view::npos && q_is_zero(item.substr(semi + 1));
    if (iequal(coding, "gzip") || iequal(coding, "x-gzip"))
      gzip = gzip.value_or(false) || !zero;
    else if (coding == "*")
      star = !zero;
  }
  return gzip ? *gzip : star;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    std::string_view item = trim_ows(if_none_match.substr(0, comma));
    if_none_match =
        comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

void add_dashboard_headers(Response& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
                         "data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                         "form-action 'self'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
}

Response serve_static(const StaticFiles& files, const StaticRequest& request) {
  Response r;
  if (request.path == "/") {
    r.status = 302;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", "/ui/");
    add_dashboard_headers(r);
    return r;
  }
  const std::string_view name =
      request.path == "/ui/" ? std::string_view{"index.html"} : request.path.substr(4);
  const StaticFile* file = files.find(name);
  if (file == nullptr) {
    r = error_response(404, error_code::kNotFound,
                       "no such endpoint: " + std::string(request.path.substr(0, 256)));
    add_dashboard_headers(r);
    return r;
  }
  const bool gzip = !file->gzip.empty() && accepts_gzip(request.accept_encoding);
  const std::string& etag = gzip ? file->gzip_etag : file->etag;
  r.cache_control = "no-cache";
  if (!request.if_none_match.empty() && etag_matches(request.if_none_match, etag)) {
    r.status = 304;
    r.content_type.clear();
  } else {
    r.content_type = file->content_type;
    r.body = gzip ? file->gzip : file->body;
  }
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (gzip && r.status == 200) r.headers.emplace_back("Content-Encoding", "gzip");
  add_dashboard_headers(r);
  return r;
}

}  // namespace bessd::api::http
