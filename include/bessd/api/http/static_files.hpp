#pragma once
// The web dashboard's static files (docs/api.md "Dashboard sessions"). They are read once, at
// start and on reload, into a table in memory, each with its gzip copy and a strong ETag; a
// request is answered from that table only. No part of a request's path ever reaches the file
// system, so a path such as "/ui/../etc/passwd" cannot name anything but a missing entry.
//
// Routes (only when the dashboard is enabled): GET / -> 302 to /ui/; GET /ui/ -> index.html;
// GET /ui/<name> -> a file of www_dir; GET /ui/lib/dygraph.min.js and .css -> the dygraphs files.
// HEAD likewise. Every answer carries the dashboard's security headers (add_dashboard_headers).
//
// Threading: a loaded StaticFiles is immutable; share it between threads freely.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <bessd/api/http_message.hpp>
#include <bessd/common/result.hpp>

namespace bessd::api::http {

struct StaticFile {
  std::string content_type;
  std::string body;
  std::string gzip;       // the body gzip-compressed; empty when that is not smaller
  std::string etag;       // strong: "\"<16 hex digits of a hash of body>\""
  std::string gzip_etag;  // the gzip representation's: "\"<same digits>-gzip\""
};

class StaticFiles {
 public:
  /// The most all files together may hold (uncompressed): they stay in memory.
  static constexpr std::size_t kMaxTotalBytes = std::size_t{8} * 1024U * 1024U;
  /// The files taken from the dygraphs folder, served as "lib/<name>".
  static constexpr const char* kDygraphsFiles[] = {"dygraph.min.js", "dygraph.min.css"};

  /// Reads index.html (required) and every other regular file directly in `www_dir` whose name
  /// is of [A-Za-z0-9._-], and dygraph.min.js and dygraph.min.css from `dygraphs_dir`. Errors
  /// name the path and the fix, and start with "api dashboard www_dir:" or
  /// "api dashboard dygraphs_dir:" (the key they belong to).
  static Result<StaticFiles> load(const std::string& www_dir, const std::string& dygraphs_dir);
  /// A table from contents (tests): name ("index.html", "lib/dygraph.min.js") -> bytes.
  static StaticFiles from_contents(const std::map<std::string, std::string>& files);

  /// The file served as /ui/<name>, or null.
  const StaticFile* find(std::string_view name) const;
  std::size_t size() const { return files_.size(); }

 private:
  std::map<std::string, StaticFile, std::less<>> files_;
};

/// "/" or a path under "/ui/": answered from the static table (when the dashboard is on).
bool is_static_path(std::string_view path) noexcept;

struct StaticRequest {
  Method method{Method::get};  // GET or HEAD
  std::string_view path;       // without the query
  std::string_view accept_encoding;
  std::string_view if_none_match;
};

/// The answer to a static request: 302, 200 (gzip when accepted and smaller), 304 when
/// If-None-Match names the representation's ETag, 404 `not_found` for an unknown name.
Response serve_static(const StaticFiles& files, const StaticRequest& request);

/// Accept-Encoding allows gzip: "gzip" or "x-gzip" with q > 0, or "*" with q > 0 when gzip is
/// not named (RFC 9110, 12.5.3).
bool accepts_gzip(std::string_view accept_encoding) noexcept;
/// If-None-Match names `etag` (weak comparison, RFC 9110, 13.1.2) or is "*".
bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept;
/// The Content-Type for a file name, by its extension (application/octet-stream when unknown).
std::string_view content_type_for(std::string_view name) noexcept;
/// gzip (RFC 1952) of `data` at level 9.
std::string gzip_compress(std::string_view data);

/// Content-Security-Policy, X-Content-Type-Options, Referrer-Policy and X-Frame-Options: on every
/// static and /v1/session answer.
void add_dashboard_headers(Response& r);

}  // namespace bessd::api::http
