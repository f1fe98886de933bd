#include "signaling/jwt.hpp"

#include <gtest/gtest.h>

namespace rrtc::signaling {
namespace {

using namespace std::chrono_literals;

const auto kNow = std::chrono::system_clock::time_point(1'700'000'000s);
constexpr std::string_view kSecret = "s3cret";

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    auto encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    auto decoded = base64url_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, bytes);
    bytes += static_cast<char>(i * 37 + 250);
  }
}

TEST(Base64UrlTest, KnownVectorsAndStrictness) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff"));
  EXPECT_FALSE(base64url_decode("QQ=="));  // padding is not base64url-without-padding
  EXPECT_FALSE(base64url_decode("Q"));     // impossible length
  EXPECT_FALSE(base64url_decode("QR"));    // stray low bits: non-canonical
  EXPECT_FALSE(base64url_decode("a+b/"));  // standard alphabet
  EXPECT_EQ(base64url_decode("QQ"), std::string("A"));
}

// RFC 7515 Appendix A.1 uses HS256 with this key; our verifier must accept the example's
// signature over its exact bytes (it has no room claim, so it fails later, on the claims).
TEST(JwtTest, SignatureMatchesRfc7515ExampleA1) {
  auto key = base64url_decode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
  ASSERT_TRUE(key);
  std::string token =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ."
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  auto verdict = verify_hs256(token, *key, kNow);
  EXPECT_EQ(verdict.error, JwtError::missing_claim);
  std::string tampered = token;
  tampered[tampered.rfind('.') + 1] = 'e';  // first signature character: d -> e
  EXPECT_EQ(verify_hs256(tampered, *key, kNow).error, JwtError::bad_signature);
}

TEST(JwtTest, AcceptsValidTokenAndReadsClaims) {
  auto token = sign_hs256(R"({"room":"r1","sub":"alice","exp":1700000060})", kSecret);
  auto verdict = verify_hs256(token, kSecret, kNow);
  ASSERT_TRUE(verdict.claims);
  EXPECT_EQ(verdict.claims->room, "r1");
  EXPECT_EQ(verdict.claims->subject, "alice");
  EXPECT_EQ(verdict.claims->expires_at, 1700000060.0);
  verdict = verify_hs256(sign_hs256(R"({"room":"r1","exp":1700000060.5})", kSecret), kSecret, kNow);
  ASSERT_TRUE(verdict.claims);
  EXPECT_FALSE(verdict.claims->subject);
}

TEST(JwtTest, RejectsExpiredWrongKeyAndMissingClaims) {
  struct Case {
    std::string payload;
    std::string secret;
    JwtError error;
  };
  const Case cases[] = {
      {R"({"room":"r","exp":1700000000})", "s3cret", JwtError::expired},
      {R"({"room":"r","exp":1600000000})", "s3cret", JwtError::expired},
      {R"({"room":"r","exp":1700000060})", "other", JwtError::bad_signature},
      {R"({"room":"r","exp":1700000060})", "", JwtError::bad_signature},
      {R"({"exp":1700000060})", "s3cret", JwtError::missing_claim},
      {R"({"room":"r"})", "s3cret", JwtError::missing_claim},
      {R"({"room":"r","exp":"tomorrow"})", "s3cret", JwtError::missing_claim},
      {R"({"room":5,"exp":1700000060})", "s3cret", JwtError::missing_claim},
      {R"({"room":"r","sub":7,"exp":1700000060})", "s3cret", JwtError::missing_claim},
      {R"({"room":"r","exp":1700000060,"nbf":1700000030})", "s3cret", JwtError::not_yet_valid},
      {R"([1])", "s3cret", JwtError::malformed},
  };
  for (const auto& c : cases) {
    auto token = sign_hs256(c.payload, "s3cret");
    auto verdict = verify_hs256(token, c.secret, kNow);
    EXPECT_FALSE(verdict.claims) << c.payload;
    EXPECT_EQ(verdict.error, c.error) << c.payload << " " << jwt_error_text(verdict.error);
  }
}

TEST(JwtTest, RejectsOtherAlgorithmsAndMalformedTokens) {
  std::string payload = base64url_encode(R"({"room":"r","exp":1700000060})");
  auto with_header = [&](std::string_view header) {
    return base64url_encode(header) + "." + payload + ".";
  };
  EXPECT_EQ(verify_hs256(with_header(R"({"alg":"none"})"), kSecret, kNow).error,
            JwtError::unsupported_algorithm);
  EXPECT_EQ(verify_hs256(with_header(R"({"alg":"RS256"})"), kSecret, kNow).error,
            JwtError::unsupported_algorithm);
  EXPECT_EQ(verify_hs256(with_header(R"({"alg":"HS512"})"), kSecret, kNow).error,
            JwtError::unsupported_algorithm);
  EXPECT_EQ(verify_hs256(with_header(R"({"typ":"JWT"})"), kSecret, kNow).error,
            JwtError::unsupported_algorithm);
  EXPECT_EQ(verify_hs256(with_header(R"({"alg":"HS256","crit":["x"]})"), kSecret, kNow).error,
            JwtError::unsupported_algorithm);
  // A correctly signed token whose header says "none" is still refused.
  for (std::string_view bad : {"", ".", "..", "a.b", "a.b.c.d", "!!.!!.!!", "e30.e30.e30="}) {
    EXPECT_EQ(verify_hs256(bad, kSecret, kNow).error, JwtError::malformed) << bad;
  }
  auto good = sign_hs256(R"({"room":"r","exp":1700000060})", kSecret);
  EXPECT_TRUE(verify_hs256(good, kSecret, kNow).claims);
  EXPECT_EQ(verify_hs256(good + "A", kSecret, kNow).error, JwtError::bad_signature);  // 33 bytes
  EXPECT_EQ(verify_hs256(good.substr(0, good.size() - 3), kSecret, kNow).error,
            JwtError::bad_signature);  // 30 bytes
  EXPECT_EQ(verify_hs256(good.substr(0, good.size() - 1) + "B", kSecret, kNow).error,
            JwtError::malformed);  // stray bits in the last character
}

}  // namespace
}  // namespace rrtc::signaling
