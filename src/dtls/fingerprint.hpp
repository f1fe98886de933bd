#pragma once
// Certificate fingerprints as SDP carries them (RFC 8122 section 5):
//
//   fingerprint-attribute  =  "fingerprint" ":" hash-func SP fingerprint
//   hash-func              =  "sha-1" / "sha-224" / "sha-256" / "sha-384" / "sha-512" / ...
//   fingerprint            =  2UHEX *(":" 2UHEX)
//
// The hex digits are uppercase on output; input is accepted in either case.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct x509_st;  // OpenSSL's X509

namespace rrtc::dtls {

enum class HashAlgorithm { Sha1, Sha224, Sha256, Sha384, Sha512 };

// "sha-256" etc., case-insensitive as RFC 8122 tokens are.
std::optional<HashAlgorithm> hash_algorithm_from_name(std::string_view name) noexcept;
std::string_view hash_algorithm_name(HashAlgorithm algorithm) noexcept;
std::size_t digest_length(HashAlgorithm algorithm) noexcept;

struct Fingerprint {
  HashAlgorithm algorithm = HashAlgorithm::Sha256;
  std::vector<std::uint8_t> digest;

  // Parses the two halves of an a=fingerprint line. Rejects unknown hash functions, malformed hex
  // and digests whose length does not match the hash function.
  static std::optional<Fingerprint> parse(std::string_view hash_func, std::string_view value);
  // The digest of a DER-encoded certificate; nullopt if OpenSSL fails.
  static std::optional<Fingerprint> of(const x509_st& certificate, HashAlgorithm algorithm);

  // "AB:CD:..." as SDP uses.
  std::string value() const;
  std::string_view hash_func() const noexcept { return hash_algorithm_name(algorithm); }

  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

}  // namespace rrtc::dtls
