#pragma once
// The status line and header fields of an API response, byte for byte what Beast's serializer
// writes for the same message (response_head_test.cpp holds the two together). The server sends
// them and the body with one gather write: Beast's serializer walks a chain of buffer views that
// cost more per response than the rest of the server code together (docs/performance.md).
//
// Fields, in this order: Server, Content-Type, Cache-Control, the response's extra headers,
// Connection when keep-alive differs from the version's default, Content-Length.

#include <string>

#include <bessd/api/http_message.hpp>

namespace bessd::api::http {

/// Appends the head of `r` to `out` (which the server reuses, so it stops allocating).
/// `version` is the request's (11 for HTTP/1.1). `r.status` is not 1xx, and `r.headers` repeats
/// none of the fields above. An empty `content_type` is left out; a 204 or 304 has neither
/// Content-Length nor a body (RFC 9110, 8.6), whatever `r.body` holds.
void append_response_head(std::string& out, const Response& r, unsigned version, bool keep_alive);

}  // namespace bessd::api::http
