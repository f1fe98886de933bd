#include "dtls/fingerprint.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <cctype>

namespace rrtc::dtls {
namespace {

struct AlgorithmInfo {
  HashAlgorithm algorithm;
  std::string_view name;
  std::size_t length;
};

constexpr std::array<AlgorithmInfo, 5> kAlgorithms{{
    {HashAlgorithm::Sha1, "sha-1", 20},
    {HashAlgorithm::Sha224, "sha-224", 28},
    {HashAlgorithm::Sha256, "sha-256", 32},
    {HashAlgorithm::Sha384, "sha-384", 48},
    {HashAlgorithm::Sha512, "sha-512", 64},
}};

const AlgorithmInfo& info(HashAlgorithm algorithm) noexcept {
  for (const auto& entry : kAlgorithms) {
    if (entry.algorithm == algorithm) return entry;
  }
  return kAlgorithms[2];
}

const EVP_MD* evp_digest(HashAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case HashAlgorithm::Sha1:
      return EVP_sha1();
    case HashAlgorithm::Sha224:
      return EVP_sha224();
    case HashAlgorithm::Sha256:
      return EVP_sha256();
    case HashAlgorithm::Sha384:
      return EVP_sha384();
    case HashAlgorithm::Sha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<HashAlgorithm> hash_algorithm_from_name(std::string_view name) noexcept {
  for (const auto& entry : kAlgorithms) {
    if (iequals(entry.name, name)) return entry.algorithm;
  }
  return std::nullopt;
}

std::string_view hash_algorithm_name(HashAlgorithm algorithm) noexcept {
  return info(algorithm).name;
}

std::size_t digest_length(HashAlgorithm algorithm) noexcept { return info(algorithm).length; }

std::optional<Fingerprint> Fingerprint::parse(std::string_view hash_func, std::string_view value) {
  const auto algorithm = hash_algorithm_from_name(hash_func);
  if (!algorithm) return std::nullopt;
  const std::size_t length = digest_length(*algorithm);
  // Exactly `length` pairs separated by single colons.
  if (value.size() != length * 3 - 1) return std::nullopt;
  Fingerprint result{*algorithm, {}};
  result.digest.reserve(length);
  for (std::size_t i = 0; i < length; ++i) {
    const std::size_t at = i * 3;
    if (i > 0 && value[at - 1] != ':') return std::nullopt;
    const int high = hex_value(value[at]);
    const int low = hex_value(value[at + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    result.digest.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  return result;
}

std::optional<Fingerprint> Fingerprint::of(const x509_st& certificate, HashAlgorithm algorithm) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (X509_digest(&certificate, evp_digest(algorithm), digest.data(), &length) != 1) {
    return std::nullopt;
  }
  return Fingerprint{algorithm, std::vector<std::uint8_t>(digest.begin(), digest.begin() + length)};
}

std::string Fingerprint::value() const {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(digest.size() * 3);
  for (std::size_t i = 0; i < digest.size(); ++i) {
    if (i > 0) out.push_back(':');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

}  // namespace rrtc::dtls
