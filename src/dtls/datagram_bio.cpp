#include "dtls/datagram_bio.hpp"

#include <algorithm>
#include <cstring>

namespace rrtc::dtls::detail {
namespace {

DatagramBioState* state_of(BIO* bio) noexcept {
  return static_cast<DatagramBioState*>(BIO_get_data(bio));
}

int bio_write(BIO* bio, const char* data, int length) noexcept {
  auto* state = state_of(bio);
  BIO_clear_retry_flags(bio);
  if (state == nullptr || length < 0) return -1;
  const auto size = static_cast<std::size_t>(length);
  try {
    if (!state->pending.empty() && state->pending.size() + size > state->mtu)
      state->close_pending();
    state->pending.insert(state->pending.end(), data, data + size);
  } catch (...) {
    return -1;  // allocation failure: OpenSSL treats it as a write error
  }
  return length;
}

int bio_read(BIO* bio, char* out, int capacity) noexcept {
  auto* state = state_of(bio);
  BIO_clear_retry_flags(bio);
  if (state == nullptr || !state->has_input || capacity < 0) {
    BIO_set_retry_read(bio);  // "no datagram yet": OpenSSL returns SSL_ERROR_WANT_READ
    return -1;
  }
  // A datagram larger than OpenSSL's buffer is truncated, as a UDP socket would.
  const std::size_t size = std::min(state->input.size(), static_cast<std::size_t>(capacity));
  if (size > 0) std::memcpy(out, state->input.data(), size);
  state->input = {};
  state->has_input = false;
  return static_cast<int>(size);
}

long bio_ctrl(BIO* bio, int command, long, void*) noexcept {
  auto* state = state_of(bio);
  switch (command) {
    case BIO_CTRL_FLUSH:
      // OpenSSL flushes at the end of each flight: that closes the datagram.
      if (state != nullptr) {
        try {
          state->close_pending();
        } catch (...) {
          return 0;
        }
      }
      return 1;
    case BIO_CTRL_PENDING:
      return state != nullptr && state->has_input ? static_cast<long>(state->input.size()) : 0;
    case BIO_CTRL_WPENDING:
      return state != nullptr ? static_cast<long>(state->pending.size()) : 0;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return state != nullptr ? static_cast<long>(state->mtu) : 0;
    default:
      // Peer addresses, socket timeouts and the like have no meaning for memory datagrams.
      return 0;
  }
}

int bio_create(BIO* bio) noexcept {
  BIO_set_init(bio, 1);
  return 1;
}

int bio_destroy(BIO* bio) noexcept {
  BIO_set_data(bio, nullptr);
  return 1;
}

BIO_METHOD* datagram_method() noexcept {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "rrtc datagram");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    BIO_meth_set_destroy(m, bio_destroy);
    return m;
  }();
  return method;
}

}  // namespace

void DatagramBioState::close_pending() {
  if (pending.empty()) return;
  datagrams.push_back(std::move(pending));
  pending = {};
}

BIO* new_datagram_bio(DatagramBioState* state) {
  BIO_METHOD* method = datagram_method();
  if (method == nullptr) return nullptr;
  BIO* bio = BIO_new(method);
  if (bio != nullptr) BIO_set_data(bio, state);
  return bio;
}

}  // namespace rrtc::dtls::detail
