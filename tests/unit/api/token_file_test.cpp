// The token file: format, strength, hygiene (docs/api.md "Token file").

#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <gmock/gmock.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <future>

#include <bessd/api/http/token_file.hpp>

namespace bessd::api::http {
namespace {

using ::testing::HasSubstr;

constexpr const char* kHex32 = "0123456789abcdef0123456789abcdef";
constexpr const char* kB64 = "Zm9vYmFyYmF6cXV4LXF1dXgtMTIz";  // 28 base64url characters

std::string problems_text(const std::vector<TokenFileProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += std::to_string(p.line) + ": " + p.message + "\n";
  return out;
}

TEST(TokenText, NamedScopedTokensWithCommentsAndBlankLines) {
  std::vector<TokenFileProblem> problems;
  const auto tokens = parse_token_text(std::string("# who scope secret\n\ngrafana read ") + kHex32 +
                                           "\r\n  ops\tcontrol  " + kB64 + "\n",
                                       problems);
  EXPECT_TRUE(problems.empty()) << problems_text(problems);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], (Credential{"grafana", Scope::read, kHex32}));
  EXPECT_EQ(tokens[1], (Credential{"ops", Scope::control, kB64}));
}

TEST(TokenText, ABareSecretIsTheDefaultControlTokenAsBefore) {
  std::vector<TokenFileProblem> problems;
  const auto tokens = parse_token_text(std::string("  ") + kB64 + "  \n", problems);
  EXPECT_TRUE(problems.empty()) << problems_text(problems);
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0], (Credential{"default", Scope::control, kB64}));
}

TEST(TokenText, SecretsWeakerThan128BitsAreRefused) {
  const auto check = [](const std::string& secret) {
    std::vector<TokenFileProblem> problems;
    parse_token_text("t read " + secret + "\n", problems);
    return problems.empty() ? std::string{} : problems.front().message;
  };
  EXPECT_EQ(check(std::string(kHex32)), "");
  EXPECT_THAT(check(std::string(kHex32).substr(1)), HasSubstr("31 hex digits, use at least 32"));
  EXPECT_EQ(check("abcdefghijklmnopqrstuv"), "");  // 22 base64url characters
  EXPECT_THAT(check("abcdefghijklmnopqrstu"), HasSubstr("21 characters, use at least 22"));
  EXPECT_THAT(check("0123456789abcdef-test"), HasSubstr("weaker than 128 bits"));
  EXPECT_THAT(check("abcdefghijklmnopqrstuvwx+/"), HasSubstr("may only contain"));
  std::vector<TokenFileProblem> problems;
  parse_token_text("short\n", problems);  // the old format too
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, 1u);
}

// Red team 36b F6: length alone let 32 x 'a' pass as 128 bits.
TEST(TokenText, SecretsThatAreNotRandomAreRefused) {
  const auto check = [](const std::string& secret) {
    std::vector<TokenFileProblem> problems;
    parse_token_text("t read " + secret + "\n", problems);
    return problems.empty() ? std::string{} : problems.front().message;
  };
  EXPECT_THAT(check(std::string(32, 'a')), HasSubstr("does not look random"));
  EXPECT_THAT(check("abcdabcdabcdabcdabcdabcdabcdabcd"), HasSubstr("a repeated pattern"));
  EXPECT_THAT(check("0101010101010101aaaaaaaaaaaaaaaa"), HasSubstr("3 distinct characters"));
  EXPECT_EQ(check(std::string(kHex32)), "");
  EXPECT_EQ(check(kB64), "");
}

TEST(TokenText, EveryProblemIsReportedWithItsLine) {
  std::vector<TokenFileProblem> problems;
  const auto tokens = parse_token_text(std::string("a read ") + kHex32 + "\n" +  // 1 ok
                                           "# comment\n" +                       // 2
                                           "a control " + kB64 + "\n" +          // 3 dup name
                                           "b write " + kB64 + "1\n" +           // 4 scope
                                           "c read " + kHex32 + "\n" +           // 5 dup secret
                                           "d read\n" +                          // 6 fields
                                           "e/x read " + kB64 + "2\n",           // 7 name
                                       problems);
  ASSERT_EQ(problems.size(), 5u) << problems_text(problems);
  EXPECT_EQ(problems[0].line, 3u);
  EXPECT_THAT(problems[0].message, HasSubstr("\"a\" is used twice"));
  EXPECT_EQ(problems[1].line, 4u);
  EXPECT_THAT(problems[1].message, HasSubstr("must be read or control, got \"write\""));
  EXPECT_EQ(problems[2].line, 5u);
  EXPECT_THAT(problems[2].message, HasSubstr("secret of another token"));
  EXPECT_EQ(problems[3].line, 6u);
  EXPECT_THAT(problems[3].message, HasSubstr("expected \"name scope secret\""));
  EXPECT_EQ(problems[4].line, 7u);
  EXPECT_THAT(problems[4].message, HasSubstr("\"e/x\""));
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].name, "a");
}

TEST(TokenText, AnEmptyFileIsAProblem) {
  std::vector<TokenFileProblem> problems;
  parse_token_text("# nothing\n\n", problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].message, HasSubstr("no token"));
}

class TokenFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bessd-token-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/tokens";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& text, mode_t mode) {
    std::ofstream(path_) << text;
    ::chmod(path_.c_str(), mode);
  }
  std::string dir_;
  std::string path_;
};

TEST_F(TokenFile, ReadsAGoodFile) {
  write(std::string("ops control ") + kB64 + "\n", 0640);
  const auto t = read_token_file(path_);
  ASSERT_TRUE(t.has_value()) << t.error().message;
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ((*t)[0].name, "ops");
}

TEST_F(TokenFile, GroupOrWorldWritableIsRefusedWithTheFix) {
  write(std::string(kB64) + "\n", 0660);
  auto t = read_token_file(path_);
  ASSERT_FALSE(t.has_value());
  EXPECT_THAT(t.error().message, HasSubstr("writable"));
  EXPECT_THAT(t.error().message, HasSubstr("chmod 0640 " + path_));
  ::chmod(path_.c_str(), 0602);
  t = read_token_file(path_);
  ASSERT_FALSE(t.has_value());
  EXPECT_THAT(t.error().message, HasSubstr("chmod 0640"));
  ::chmod(path_.c_str(), 0644);
  t = read_token_file(path_);
  ASSERT_FALSE(t.has_value());
  EXPECT_THAT(t.error().message, HasSubstr("readable by everyone"));
}

TEST_F(TokenFile, ASymbolicLinkIsRefused) {
  write(std::string(kB64) + "\n", 0600);
  const std::string link = dir_ + "/link";
  ASSERT_EQ(::symlink(path_.c_str(), link.c_str()), 0);
  const auto t = read_token_file(link);
  ASSERT_FALSE(t.has_value());
  EXPECT_THAT(t.error().message, HasSubstr("symbolic link"));
}

// A named pipe in the token file's place must not hang the reload (and the stop after it) until
// somebody writes to it: it is refused at once.
TEST_F(TokenFile, ANamedPipeIsRefusedWithoutWaitingForAWriter) {
  ASSERT_EQ(::mkfifo(path_.c_str(), 0600), 0);
  auto t = std::async(std::launch::async, [&] { return read_token_file(path_); });
  if (t.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    const int w = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK);  // lets the blocked open go on
    if (w >= 0) ::close(w);
    FAIL() << "read_token_file waited for a writer on a named pipe";
  }
  const auto r = t.get();
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("not a regular file"));
}

TEST_F(TokenFile, AForeignOwnerIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  const passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  write(std::string(kB64) + "\n", 0600);
  ASSERT_EQ(::chown(path_.c_str(), nobody->pw_uid, static_cast<gid_t>(-1)), 0);
  const auto t = read_token_file(path_);
  ASSERT_FALSE(t.has_value());
  EXPECT_THAT(t.error().message, HasSubstr("chown root:bessd " + path_));
}

TEST_F(TokenFile, ProblemsNameTheFileAndLine) {
  write(std::string("a read ") + kHex32 + "\nb read weak\n", 0600);
  auto t = read_token_file(path_);
  ASSERT_FALSE(t.has_value());
  EXPECT_THAT(t.error().message, HasSubstr(path_ + ":2: token \"b\": the secret is weaker"));
  std::filesystem::remove(path_);
  t = read_token_file(path_);
  ASSERT_FALSE(t.has_value());
  EXPECT_THAT(t.error().message, HasSubstr(path_));
}

TEST(MatchToken, FindsTheMatchingSecretOnly) {
  const std::vector<Credential> tokens{{"a", Scope::read, kHex32}, {"b", Scope::control, kB64}};
  ASSERT_NE(match_token(tokens, kB64), nullptr);
  EXPECT_EQ(match_token(tokens, kB64)->name, "b");
  EXPECT_EQ(match_token(tokens, std::string(kB64) + "x"), nullptr);
  EXPECT_EQ(match_token(tokens, ""), nullptr);
}

}  // namespace
}  // namespace bessd::api::http
