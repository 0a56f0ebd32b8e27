#include <bessd/api/http/response_head.hpp>

#include <cassert>
#include <ostream>  // Boost 1.74's beast/http/status.hpp uses std::ostream without it
#include <string>

#include <boost/beast/http/status.hpp>

namespace bessd::api::http {

void append_response_head(std::string& out, const Response& r, unsigned version, bool keep_alive) {
  namespace bhttp = boost::beast::http;
  assert(r.status >= 200 && r.status <= 999);
  const auto digit = [](unsigned n) { return static_cast<char>('0' + n % 10); };
  const char status_line[] = {'H',
                              'T',
                              'T',
                              'P',
                              '/',
                              digit(version / 10),
                              '.',
                              digit(version),
                              ' ',
                              digit(r.status / 100),
                              digit(r.status / 10),
                              digit(r.status),
                              ' '};
  out.append(status_line, sizeof status_line);
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
  out.append(reason.data(), reason.size());
  out += "\r\nServer: bessd\r\n";
  if (!r.content_type.empty()) {
    out += "Content-Type: ";
    out += r.content_type;
    out += "\r\n";
  }
  out += "Cache-Control: ";
  out += r.cache_control;
  out += "\r\n";
  for (const auto& [name, value] : r.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  // HTTP/1.1 keeps the connection unless told otherwise, HTTP/1.0 closes it unless told.
  if (version >= 11 && !keep_alive) out += "Connection: close\r\n";
  if (version < 11 && keep_alive) out += "Connection: keep-alive\r\n";
  if (r.status != 204 && r.status != 304) {
    out += "Content-Length: ";
    out += std::to_string(r.body.size());
    out += "\r\n";
  }
  out += "\r\n";
}

}  // namespace bessd::api::http
