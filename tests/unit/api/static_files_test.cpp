// The dashboard's static file table (docs/api.md "Dashboard sessions"): loading, gzip, ETags,
// Accept-Encoding and the configuration errors.

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <zlib.h>

#include <bessd/api/http/http_server.hpp>
#include <bessd/api/http/static_files.hpp>

namespace bessd::api::http {
namespace {

std::string gunzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

std::string header_of(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "";
}

const std::string kPage = "<!doctype html><title>bessd</title>" + std::string(2000, ' ') + "x";

StaticFiles sample() {
  return StaticFiles::from_contents({{"index.html", kPage},
                                     {"app.js", "console.log(1);" + std::string(500, ';')},
                                     {"icon.png", "P"},
                                     {"lib/dygraph.min.js", "var Dygraph;" + std::string(900, ' ')},
                                     {"lib/dygraph.min.css", ".dygraph{}"}});
}

struct StaticDir : ::testing::Test {
  void SetUp() override {
    char tmpl[] = "/tmp/bessd-static-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root = tmpl;
    www = root + "/www";
    dy = root + "/dygraphs";
    std::filesystem::create_directories(www);
    std::filesystem::create_directories(dy);
  }
  void TearDown() override { std::filesystem::remove_all(root); }
  static void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  void complete() {
    write(www + "/index.html", kPage);
    write(dy + "/dygraph.min.js", "var Dygraph;");
    write(dy + "/dygraph.min.css", ".dygraph{}");
  }
  std::string root, www, dy;
};

TEST(StaticFiles, ServesIndexFilesAndLib) {
  const auto files = sample();
  auto r = serve_static(files, {Method::get, "/ui/", "", ""});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, kPage);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.cache_control, "no-cache");
  EXPECT_EQ(header_of(r, "Vary"), "Accept-Encoding");
  EXPECT_EQ(header_of(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header_of(r, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header_of(r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header_of(r, "Content-Security-Policy"),
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  EXPECT_EQ(serve_static(files, {Method::get, "/ui/index.html", "", ""}).body, kPage);
  r = serve_static(files, {Method::get, "/ui/app.js", "", ""});
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  r = serve_static(files, {Method::get, "/ui/lib/dygraph.min.css", "", ""});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(r.body, ".dygraph{}");
  r = serve_static(files, {Method::get, "/", "", ""});
  EXPECT_EQ(r.status, 302u);
  EXPECT_EQ(header_of(r, "Location"), "/ui/");
}

TEST(StaticFiles, UnknownNamesAre404WithoutTouchingTheDisk) {
  const auto files = sample();
  for (const char* path : {"/ui/nope.js", "/ui/../index.html", "/ui/lib/dygraph.js",
                           "/ui/%2e%2e/etc/passwd", "/ui//index.html", "/ui/lib/"}) {
    const auto r = serve_static(files, {Method::get, path, "", ""});
    EXPECT_EQ(r.status, 404u) << path;
    EXPECT_NE(r.body.find("\"not_found\""), std::string::npos) << path;
  }
}

TEST(StaticFiles, GzipWhenAcceptedAndItRoundTrips) {
  const auto files = sample();
  const auto r = serve_static(files, {Method::get, "/ui/", "gzip, deflate, br", ""});
  EXPECT_EQ(header_of(r, "Content-Encoding"), "gzip");
  EXPECT_LT(r.body.size(), kPage.size());
  EXPECT_EQ(gunzip(r.body), kPage);
  EXPECT_EQ(gunzip(gzip_compress("")), "");
  // A file gzip does not shrink is always sent as it is.
  EXPECT_EQ(
      header_of(serve_static(files, {Method::get, "/ui/icon.png", "gzip", ""}), "Content-Encoding"),
      "");
}

TEST(StaticFiles, AcceptEncodingQValues) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, gzip;q=0.001"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("gzip;Q=0.0, deflate"));
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_FALSE(accepts_gzip("gzipx"));
  const auto files = sample();
  EXPECT_EQ(
      header_of(serve_static(files, {Method::get, "/ui/", "gzip;q=0", ""}), "Content-Encoding"),
      "");
}

TEST(StaticFiles, EtagAndIfNoneMatch) {
  const auto files = sample();
  const auto plain = serve_static(files, {Method::get, "/ui/", "", ""});
  const auto packed = serve_static(files, {Method::get, "/ui/", "gzip", ""});
  const std::string etag = header_of(plain, "ETag");
  EXPECT_EQ(etag.size(), 18u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_NE(header_of(packed, "ETag"), etag);  // another representation
  EXPECT_NE(etag, header_of(serve_static(files, {Method::get, "/ui/app.js", "", ""}), "ETag"));
  auto r = serve_static(files, {Method::get, "/ui/", "", etag});
  EXPECT_EQ(r.status, 304u);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(header_of(r, "ETag"), etag);
  EXPECT_EQ(serve_static(files, {Method::get, "/ui/", "", "\"other\", W/" + etag}).status, 304u);
  EXPECT_EQ(serve_static(files, {Method::get, "/ui/", "", "*"}).status, 304u);
  EXPECT_EQ(serve_static(files, {Method::get, "/ui/", "", "\"other\""}).status, 200u);
  EXPECT_EQ(serve_static(files, {Method::get, "/ui/", "gzip", etag}).status, 200u);
  EXPECT_EQ(serve_static(files, {Method::get, "/ui/", "gzip", header_of(packed, "ETag")}).status,
            304u);
  // New contents, new tag.
  const auto changed = StaticFiles::from_contents({{"index.html", kPage + "!"}});
  EXPECT_NE(header_of(serve_static(changed, {Method::get, "/ui/", "", ""}), "ETag"), etag);
}

TEST(StaticFiles, ContentTypes) {
  EXPECT_EQ(content_type_for("a.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("a.png"), "image/png");
  EXPECT_EQ(content_type_for("favicon.ico"), "image/x-icon");
  EXPECT_EQ(content_type_for("a.json"), "application/json");
  EXPECT_EQ(content_type_for("site.webmanifest"), "application/manifest+json");
  EXPECT_EQ(content_type_for("README"), "application/octet-stream");
}

TEST_F(StaticDir, LoadsServedNamesOnly) {
  complete();
  write(www + "/app.js", "1");
  write(www + "/bad name.js", "2");
  write(www + "/x~", "3");
  std::filesystem::create_directories(www + "/sub");
  write(www + "/sub/deep.js", "4");
  const auto files = StaticFiles::load(www, dy);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->size(), 4u);  // index.html, app.js and the two lib files
  EXPECT_TRUE(files->find("app.js"));
  EXPECT_TRUE(files->find("lib/dygraph.min.js"));
  EXPECT_FALSE(files->find("bad name.js"));
  EXPECT_FALSE(files->find("sub/deep.js"));
  EXPECT_FALSE(files->find("sub"));
}

TEST_F(StaticDir, MissingIndexNamesThePath) {
  write(dy + "/dygraph.min.js", "v");
  write(dy + "/dygraph.min.css", "c");
  const auto files = StaticFiles::load(www, dy);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().message.rfind("api dashboard www_dir: " + www + "/index.html", 0), 0u)
      << files.error().message;
}

TEST_F(StaticDir, MissingDygraphsSaysInstallTheLibrary) {
  write(www + "/index.html", "i");
  write(dy + "/dygraph.min.js", "v");
  const auto files = StaticFiles::load(www, dy);
  ASSERT_FALSE(files);
  EXPECT_NE(files.error().message.find(dy + "/dygraph.min.css"), std::string::npos);
  EXPECT_NE(files.error().message.find("install libjs-dygraphs"), std::string::npos);
  EXPECT_EQ(files.error().message.rfind("api dashboard dygraphs_dir:", 0), 0u);
}

TEST_F(StaticDir, TotalSizeIsCapped) {
  complete();
  write(www + "/big.bin", std::string(StaticFiles::kMaxTotalBytes, 'x'));
  const auto files = StaticFiles::load(www, dy);
  ASSERT_FALSE(files);
  EXPECT_NE(files.error().message.find("exceed 8 MiB"), std::string::npos) << files.error().message;
  EXPECT_NE(files.error().message.find(www + "/big.bin"), std::string::npos);
}

TEST_F(StaticDir, OptionsFromConfigLoadTheFilesOrSayWhy) {
  config::ApiConfig api;
  api.dashboard.enabled = true;
  api.dashboard.www_dir = www;
  api.dashboard.dygraphs_dir = dy;
  api.dashboard.session_lifetime_s = 600;
  api.dashboard.secure_cookie = true;
  auto missing = ServerOptions::from_config(api);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(www + "/index.html"), std::string::npos);
  EXPECT_EQ(missing.error().config_pointer, "/api/dashboard/www_dir");
  complete();
  api.dashboard.dygraphs_dir = root + "/nowhere";
  const auto no_dygraphs = ServerOptions::from_config(api);
  ASSERT_FALSE(no_dygraphs);
  EXPECT_EQ(no_dygraphs.error().config_pointer, "/api/dashboard/dygraphs_dir");
  api.dashboard.dygraphs_dir = dy;
  const auto o = ServerOptions::from_config(api);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_TRUE(o->dashboard_enabled);
  ASSERT_TRUE(o->dashboard_files);
  EXPECT_TRUE(o->dashboard_files->find("index.html"));
  EXPECT_EQ(o->dashboard_sessions.lifetime, std::chrono::seconds{600});
  EXPECT_TRUE(o->dashboard_sessions.secure_cookie);
  api.dashboard.enabled = false;
  api.dashboard.www_dir = root + "/nowhere";
  const auto off = ServerOptions::from_config(api);
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->dashboard_files);  // nothing read when off
}

}  // namespace
}  // namespace bessd::api::http
