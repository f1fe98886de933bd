#include "sctp/usrsctp_stack.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "sctp/association.hpp"

namespace rrtc::sctp::detail {
namespace {

// usrsctp's output callback: one SCTP packet for the AF_CONN address `address` (our id).
int on_output(void* address, void* buffer, std::size_t length, std::uint8_t /*tos*/,
              std::uint8_t /*set_df*/) noexcept {
  // Runs inside one of our usrsctp calls, so this thread holds the Stack::Lock.
  if (!Stack::held_by_this_thread()) {
    Stack::on_foreign_thread();
    return 0;
  }
  Mailbox* mailbox = Stack::instance().find(reinterpret_cast<std::uintptr_t>(address));
  if (mailbox == nullptr) return 0;  // the association is gone: drop
  if (mailbox->queued_bytes + length > kMailboxLimit) {
    ++mailbox->dropped;
    return 0;
  }
  try {
    const auto* bytes = static_cast<const std::uint8_t*>(buffer);
    mailbox->packets.emplace_back(bytes, bytes + length);
    mailbox->queued_bytes += length;
  } catch (...) {
    ++mailbox->dropped;  // out of memory: SCTP retransmits
  }
  return 0;
}

}  // namespace

thread_local bool Stack::held_ = false;

Stack& Stack::instance() {
  // Never destroyed: usrsctp_finish() cannot be followed by another init, and associations may
  // be destroyed during static destruction.
  static Stack* stack = new Stack();  // NOLINT(cppcoreguidelines-owning-memory)
  return *stack;
}

Stack::Stack() {
  started_.store(true);
  usrsctp_init_nothreads(0, &on_output, nullptr);
  // WebRTC settings (RFC 8831): no ECN over DTLS, PR-SCTP and stream reconfiguration on, no
  // address reconfiguration (one AF_CONN "address"), no AUTH requirement.
  usrsctp_sysctl_set_sctp_ecn_enable(0);
  usrsctp_sysctl_set_sctp_pr_enable(1);
  usrsctp_sysctl_set_sctp_reconfig_enable(1);
  usrsctp_sysctl_set_sctp_asconf_enable(0);
  usrsctp_sysctl_set_sctp_auto_asconf(0);
  usrsctp_sysctl_set_sctp_auth_enable(0);
  usrsctp_sysctl_set_sctp_enable_sack_immediately(1);
  // Faster first retransmissions than RFC 4960's 3 s / 1 s: DTLS already proved the path.
  usrsctp_sysctl_set_sctp_rto_initial_default(1000);
  usrsctp_sysctl_set_sctp_rto_min_default(400);
  usrsctp_sysctl_set_sctp_init_rto_max_default(10000);
  // usrsctp's default maximum RTO is 60 s: after a burst of losses (a receiver too busy to read
  // its socket) the backed-off retransmission timer stalls a channel for a minute.
  usrsctp_sysctl_set_sctp_rto_max_default(5000);
  usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
}

std::uintptr_t Stack::add(Mailbox& mailbox) {
  const std::uintptr_t id = next_id_++;
  mailboxes_.emplace(id, &mailbox);
  return id;
}

void Stack::remove(std::uintptr_t id) { mailboxes_.erase(id); }

Mailbox* Stack::find(std::uintptr_t id) const {
  const auto it = mailboxes_.find(id);
  return it == mailboxes_.end() ? nullptr : it->second;
}

std::size_t Stack::live_associations() const { return mailboxes_.size(); }

void Stack::advance(time::Timestamp now) {
  if (!have_time_ || now + std::chrono::seconds(1) < last_time_) {
    have_time_ = true;
    last_time_ = now;
    return;
  }
  if (now <= last_time_) return;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_time_);
  if (elapsed.count() <= 0) return;
  // Large gaps (a suspended process, a test that jumps) are run as one step: usrsctp fires every
  // timer that expired in it once.
  usrsctp_handle_timers(
      static_cast<std::uint32_t>(std::min<std::int64_t>(elapsed.count(), 1 << 30)));
  last_time_ += elapsed;
}

int Stack::on_receive(struct socket* /*socket*/, union sctp_sockstore /*address*/, void* data,
                      std::size_t length, struct sctp_rcvinfo info, int flags,
                      void* ulp_info) noexcept {
  // Runs inside one of our usrsctp calls (mutex held). `data` is ours to free.
  std::unique_ptr<std::uint8_t, FreeDeleter> owned(static_cast<std::uint8_t*>(data));
  if (!held_by_this_thread()) {
    on_foreign_thread();
    return 1;
  }
  Mailbox* mailbox = instance().find(reinterpret_cast<std::uintptr_t>(ulp_info));
  if (mailbox == nullptr) return 1;
  if (data == nullptr) {
    mailbox->end_of_file = true;
    return 1;
  }
  if (mailbox->queued_bytes + length > kMailboxLimit) {
    ++mailbox->dropped;
    return 1;
  }
  Delivery delivery;
  delivery.data = std::move(owned);
  delivery.length = length;
  delivery.stream = info.rcv_sid;
  delivery.ppid = ntohl(info.rcv_ppid);
  delivery.notification = (flags & MSG_NOTIFICATION) != 0;
  delivery.end_of_record = (flags & MSG_EOR) != 0;
  delivery.unordered = (info.rcv_flags & SCTP_UNORDERED) != 0;
  try {
    mailbox->deliveries.push_back(std::move(delivery));
    mailbox->queued_bytes += length;
  } catch (...) {
    ++mailbox->dropped;
  }
  return 1;
}

}  // namespace rrtc::sctp::detail

namespace rrtc::sctp {

StackCounters stack_counters() {
  struct sctpstat stat {};
  if (detail::Stack::started()) {
    const detail::Stack::Lock lock;
    usrsctp_get_stat(&stat);
  }
  StackCounters counters;
  counters.checksum_errors = stat.sctps_badsum;
  counters.header_drops = stat.sctps_hdrops;
  counters.bad_verification_tag = stat.sctps_badvtag;
  counters.out_of_the_blue = stat.sctps_outoftheblue;
  counters.bad_stream_id = stat.sctps_badsid;
  counters.packets = stat.sctps_recvpackets;
  counters.foreign_thread_callbacks = detail::Stack::foreign_callbacks();
  counters.refused_before_stack = detail::Stack::refused_packets();
  return counters;
}

}  // namespace rrtc::sctp
