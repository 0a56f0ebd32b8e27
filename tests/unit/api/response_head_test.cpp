// The server's hand-written response head is what Beast's serializer writes for the same message.

#include <sstream>

#include <gtest/gtest.h>
#include <boost/beast/http.hpp>

#include <bessd/api/http/response_head.hpp>

namespace bessd::api::http {
namespace {

namespace bhttp = boost::beast::http;

/// The message as the server built it before it wrote heads itself.
std::string beast_text(const Response& r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res(static_cast<bhttp::status>(r.status), version);
  res.set(bhttp::field::server, "bessd");
  res.set(bhttp::field::content_type, r.content_type);
  res.set(bhttp::field::cache_control, "no-store");
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.body() = r.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  std::ostringstream os;
  os << res;
  return os.str();
}

TEST(ResponseHead, IsWhatBeastWrites) {
  const std::vector<std::vector<std::pair<std::string, std::string>>> header_sets = {
      {},
      {{"Allow", "GET, PUT"}},
      {{"Retry-After", "1"}},
      {{"WWW-Authenticate", "Bearer realm=\"bessd\""}},
      {{"Allow", "GET"}, {"Retry-After", "1"}},
  };
  int checked = 0;
  for (unsigned status :
       {200U, 400U, 401U, 403U, 404U, 405U, 409U, 413U, 415U, 418U, 431U, 500U, 501U, 503U, 599U}) {
    for (unsigned version : {10U, 11U}) {
      for (bool keep_alive : {true, false}) {
        for (const auto& headers : header_sets) {
          for (const std::string& body :
               {std::string{}, std::string{"{}"}, std::string(2689, 'x')}) {
            for (const char* type :
                 {"application/json", "text/plain; version=0.0.4; charset=utf-8"}) {
              Response r{status, type, body, headers};
              std::string text = "junk before";  // appends
              append_response_head(text, r, version, keep_alive);
              text += body;
              ASSERT_EQ(text, "junk before" + beast_text(r, version, keep_alive))
                  << status << " HTTP/" << version << " keep-alive " << keep_alive;
              ++checked;
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 15 * 2 * 2 * 5 * 3 * 2);
}

}  // namespace
}  // namespace bessd::api::http
