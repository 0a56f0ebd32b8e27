#pragma once
// The API's bearer tokens: the token file format, its hygiene rules and the look-up of a
// presented token (docs/api.md "Token file").
//
// Format: one credential per line, `name scope secret`, fields separated by blanks; scope is
// `read` or `control`; `#` starts a comment line; blank lines are ignored. A file whose only
// content is one bare secret (the format before scopes) is one control token named "default".
// Names are 1-64 characters of [A-Za-z0-9._-] and unique. Secrets are base64url characters
// ([A-Za-z0-9_-]; hex is a subset) of at least 128 bits: 32 characters when all of them are hex
// digits, else 22; no two tokens share a secret.
//
// Hygiene (refused with the fix): the file must not be a symbolic link, must not be group- or
// world-writable nor world-readable, and must be owned by root, by the user running bessd or by
// the packaged user "bessd".
//
// Threading: free functions, no state.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/api/requester.hpp>
#include <bessd/common/result.hpp>

namespace bessd::api::http {

struct Credential {
  std::string name;
  Scope scope{Scope::read};
  std::string secret;
  friend bool operator==(const Credential&, const Credential&) = default;
};

struct TokenFileProblem {
  std::size_t line{0};  // 1-based; 0: the file as a whole
  std::string message;
};

/// Parses the text of a token file. Every problem is appended to `problems` with its line; the
/// credentials of the lines without problems are returned.
std::vector<Credential> parse_token_text(std::string_view text,
                                         std::vector<TokenFileProblem>& problems);

/// Reads `path` (without following a symbolic link), checks its hygiene and parses it. The
/// error message lists every problem as "PATH:LINE: message" (one per line).
Result<std::vector<Credential>> read_token_file(const std::string& path);

/// The credential whose secret is `presented`, or null. Compares with every secret in constant
/// time (the time depends on the lengths only), so it does not reveal which one nearly matched.
const Credential* match_token(const std::vector<Credential>& tokens, std::string_view presented);

}  // namespace bessd::api::http
