// dtls::Certificate and dtls::Fingerprint.

#include "dtls/certificate.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "dtls/fingerprint.hpp"

namespace rrtc::dtls {
namespace {

TEST(DtlsCertificate, Sha256FingerprintIsUppercaseColonHex) {
  const auto certificate = Certificate::generate();
  const std::string value = certificate->fingerprint_sha256();
  EXPECT_TRUE(std::regex_match(value, std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}"))) << value;
  EXPECT_EQ(certificate->fingerprint().hash_func(), "sha-256");
  const auto parsed = Fingerprint::parse("sha-256", value);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, certificate->fingerprint());
}

TEST(DtlsCertificate, EachGenerationIsANewIdentity) {
  const auto a = Certificate::generate();
  const auto b = Certificate::generate();
  EXPECT_NE(a->fingerprint(), b->fingerprint());
  EXPECT_NE(a->pem(), b->pem());
  EXPECT_EQ(a->pem().rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
}

TEST(DtlsCertificate, OtherHashFunctionsHaveTheirLengths) {
  const auto certificate = Certificate::generate();
  for (const auto algorithm : {HashAlgorithm::Sha1, HashAlgorithm::Sha224, HashAlgorithm::Sha256,
                               HashAlgorithm::Sha384, HashAlgorithm::Sha512}) {
    const auto fingerprint = certificate->fingerprint(algorithm);
    EXPECT_EQ(fingerprint.digest.size(), digest_length(algorithm));
    EXPECT_EQ(Fingerprint::parse(fingerprint.hash_func(), fingerprint.value()), fingerprint);
  }
}

TEST(DtlsCertificate, SharedInstanceIsCreatedOnce) {
  std::shared_ptr<const Certificate> seen[4];
  std::vector<std::thread> threads;
  for (auto& slot : seen) threads.emplace_back([&slot] { slot = Certificate::shared(); });
  for (auto& thread : threads) thread.join();
  for (const auto& certificate : seen) EXPECT_EQ(certificate.get(), seen[0].get());
  EXPECT_NE(seen[0], nullptr);
}

struct ParseCase {
  const char* hash_func;
  const char* value;
  bool valid;
};

class FingerprintParse : public testing::TestWithParam<ParseCase> {};

TEST_P(FingerprintParse, AcceptsOnlyWellFormedValues) {
  const auto& param = GetParam();
  EXPECT_EQ(Fingerprint::parse(param.hash_func, param.value).has_value(), param.valid)
      << param.hash_func << " " << param.value;
}

INSTANTIATE_TEST_SUITE_P(
    Table, FingerprintParse,
    testing::Values(
        ParseCase{"sha-256",
                  "19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:"
                  "26:33:E8:70:88:A2",
                  true},
        ParseCase{"SHA-256",
                  "19:e2:1c:3b:4b:9f:81:e6:b8:5c:f4:a5:a8:d8:73:04:bb:05:2f:70:9f:04:a9:0e:05:e9:"
                  "26:33:e8:70:88:a2",
                  true},
        ParseCase{"sha-1", "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB", true},
        ParseCase{"sha-256", "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB",
                  false},  // too short
        ParseCase{"sha-1", "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:",
                  false},  // trailing colon
        ParseCase{"sha-1", "4A-AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB",
                  false},  // wrong separator
        ParseCase{"sha-1", "4G:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB",
                  false},                                                            // not hex
        ParseCase{"md5", "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B", false},  // unsupported
        ParseCase{"sha-256", "", false}, ParseCase{"", "", false}));

TEST(Fingerprint, FormatsUppercase) {
  const Fingerprint fingerprint{HashAlgorithm::Sha1, {0xab, 0x01, 0xff, 0, 0, 0, 0, 0, 0, 0,
                                                      0,    0,    0,    0, 0, 0, 0, 0, 0, 0x10}};
  EXPECT_EQ(fingerprint.value(), "AB:01:FF:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:10");
  EXPECT_EQ(fingerprint.hash_func(), "sha-1");
}

}  // namespace
}  // namespace rrtc::dtls
