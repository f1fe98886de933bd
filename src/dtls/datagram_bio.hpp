#pragma once
// A BIO that keeps datagram boundaries, for DTLS over memory (internal to src/dtls).
//
// BIO_s_mem would merge two written records into one stream and split a read at arbitrary
// offsets; OpenSSL 3.0 has no BIO_s_dgram_mem. This BIO hands OpenSSL exactly one received
// datagram per read, and packs the records OpenSSL writes into datagrams of at most `mtu` bytes,
// closing a datagram when the next record would not fit or when OpenSSL flushes a flight.
//
// Threading: owned by one Endpoint; the state outlives the BIO (the SSL frees the BIO first).

#include <openssl/bio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace rrtc::dtls::detail {

struct DatagramBioState {
  std::size_t mtu = 1200;
  // The datagram OpenSSL reads next; emptied by the read.
  std::span<const std::uint8_t> input;
  bool has_input = false;
  // Records written since the last closed datagram.
  std::vector<std::uint8_t> pending;
  // Closed datagrams, in order, waiting for the Endpoint to collect them.
  std::vector<std::vector<std::uint8_t>> datagrams;

  void close_pending();
};

// A new BIO reading from and writing to `state` (not owned). nullptr on allocation failure.
BIO* new_datagram_bio(DatagramBioState* state);

}  // namespace rrtc::dtls::detail
