#include "ice/memory_transport.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "io/glib_loop.hpp"
#include "recording_listener.hpp"

namespace rrtc::ice {
namespace {

using test::RecordingListener;

std::vector<uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

class MemoryTransportTest : public ::testing::Test {
 protected:
  MemoryTransportTest() : a_(pair_.take(Side::A)), b_(pair_.take(Side::B)) {
    a_->set_listener(&la_);
    b_->set_listener(&lb_);
  }

  void exchange_credentials() {
    ASSERT_TRUE(a_->set_remote_credentials(b_->local_credentials()));
    ASSERT_TRUE(b_->set_remote_credentials(a_->local_credentials()));
  }

  MemoryTransportPair pair_;
  std::unique_ptr<MemoryTransport> a_;
  std::unique_ptr<MemoryTransport> b_;
  RecordingListener la_;
  RecordingListener lb_;
};

TEST_F(MemoryTransportTest, AnnouncesACandidateAndGatheringDoneOnFlush) {
  EXPECT_TRUE(la_.candidates.empty());
  pair_.flush();
  ASSERT_EQ(la_.candidates.size(), 1u);
  EXPECT_EQ(la_.candidates[0].rfind("candidate:", 0), 0u);
  EXPECT_TRUE(la_.gathering_done);
  EXPECT_TRUE(lb_.gathering_done);
  // The other side accepts what we announce.
  EXPECT_EQ(b_->add_remote_candidate(la_.candidates[0]), CandidateResult::Added);
  EXPECT_EQ(b_->add_remote_candidate(""), CandidateResult::EndOfCandidates);
}

TEST_F(MemoryTransportTest, ConnectsAndCarriesDatagramsBothWays) {
  EXPECT_FALSE(a_->send(bytes("early")));
  exchange_credentials();
  pair_.flush();
  EXPECT_EQ(la_.states, (std::vector<IceState>{IceState::Checking, IceState::Connected}));
  EXPECT_EQ(lb_.states, (std::vector<IceState>{IceState::Checking, IceState::Connected}));
  // Receivers may modify the buffer in place (SRTP decryption does).
  lb_.on_receive = [](std::span<uint8_t> d) { d[0] = 'X'; };
  EXPECT_TRUE(a_->send(bytes("ping")));
  EXPECT_TRUE(b_->send(bytes("pong")));
  EXPECT_TRUE(lb_.datagrams.empty());  // nothing is delivered inline
  EXPECT_EQ(pair_.flush(), 2u);
  ASSERT_EQ(lb_.datagrams.size(), 1u);
  EXPECT_EQ(lb_.datagrams[0], bytes("ping"));
  ASSERT_EQ(la_.datagrams.size(), 1u);
  EXPECT_EQ(la_.datagrams[0], bytes("pong"));
  EXPECT_EQ(pair_.datagrams_sent(Side::A), 1u);
}

TEST_F(MemoryTransportTest, WrongPasswordFailsBothSides) {
  IceCredentials wrong = b_->local_credentials();
  wrong.pwd[0] = wrong.pwd[0] == 'x' ? 'y' : 'x';
  ASSERT_TRUE(a_->set_remote_credentials(wrong));
  ASSERT_TRUE(b_->set_remote_credentials(a_->local_credentials()));
  pair_.flush();
  EXPECT_EQ(la_.last_state(), IceState::Failed);
  EXPECT_EQ(lb_.last_state(), IceState::Failed);
  EXPECT_FALSE(a_->send(bytes("x")));
}

TEST_F(MemoryTransportTest, RejectsInvalidCredentials) {
  EXPECT_FALSE(a_->set_remote_credentials({"abc", "passwordpasswordpassword"}));   // ufrag < 4
  EXPECT_FALSE(a_->set_remote_credentials({"abcd", "short"}));                     // pwd < 22
  EXPECT_FALSE(a_->set_remote_credentials({"ab d", "passwordpasswordpassword"}));  // space
  EXPECT_FALSE(a_->has_remote_credentials());
}

TEST_F(MemoryTransportTest, DropHookSimulatesLoss) {
  exchange_credentials();
  pair_.flush();
  int n = 0;
  pair_.set_drop_hook([&](Side from, std::span<const uint8_t>) {
    return from == Side::A && (n++ % 2 == 0);  // every other datagram from A
  });
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(a_->send(bytes("d")));  // loss is silent, as with UDP
  }
  pair_.flush();
  EXPECT_EQ(lb_.datagrams.size(), 5u);
  EXPECT_EQ(pair_.datagrams_dropped(Side::A), 5u);
}

TEST_F(MemoryTransportTest, ClosingOneSideFailsTheOther) {
  exchange_credentials();
  pair_.flush();
  a_->close();
  a_->close();  // idempotent
  EXPECT_EQ(a_->state(), IceState::Closed);
  EXPECT_FALSE(a_->send(bytes("x")));
  pair_.flush();
  EXPECT_EQ(la_.last_state(), IceState::Closed);
  EXPECT_EQ(lb_.last_state(), IceState::Failed);
  EXPECT_EQ(a_->add_remote_candidate("candidate:1 1 udp 1 192.0.2.9 9 typ host"),
            CandidateResult::Closed);
}

TEST_F(MemoryTransportTest, DestroyingOneSideIsSafe) {
  exchange_credentials();
  pair_.flush();
  EXPECT_TRUE(a_->send(bytes("in flight")));
  b_.reset();  // the queued datagram now has nowhere to go
  pair_.flush();
  EXPECT_TRUE(la_.datagrams.empty());
  EXPECT_EQ(la_.last_state(), IceState::Failed);  // destruction closes, and the peer notices
}

TEST_F(MemoryTransportTest, ConsentLossFailsBothSides) {
  exchange_credentials();
  pair_.flush();
  pair_.fail();
  pair_.flush();
  EXPECT_EQ(la_.last_state(), IceState::Failed);
  EXPECT_EQ(lb_.last_state(), IceState::Failed);
}

TEST_F(MemoryTransportTest, RejectsBadCandidatesAndBoundsTheirNumber) {
  EXPECT_EQ(a_->add_remote_candidate("garbage"), CandidateResult::Malformed);
  EXPECT_EQ(a_->add_remote_candidate("candidate:1 2 udp 1 192.0.2.9 9 typ host"),
            CandidateResult::WrongComponent);
  EXPECT_EQ(a_->add_remote_candidate("a="), CandidateResult::EndOfCandidates);
  std::size_t added = 0;
  for (int i = 0; i < 100; ++i) {
    std::string line = "candidate:" + std::to_string(i) + " 1 udp 1 192.0.2.9 " +
                       std::to_string(1000 + i) + " typ host";
    CandidateResult result = a_->add_remote_candidate(line);
    if (result == CandidateResult::Added) {
      ++added;
    } else {
      EXPECT_EQ(result, CandidateResult::TooMany);
    }
  }
  EXPECT_EQ(added, 64u);
}

TEST(MemoryTransportScheduler, DeliversThroughAGlibLoop) {
  io::GlibLoop loop;
  MemoryTransportPair pair([&](std::function<void()> fn) { loop.post(std::move(fn)); });
  std::unique_ptr<MemoryTransport> a = pair.take(Side::A);
  std::unique_ptr<MemoryTransport> b = pair.take(Side::B);
  RecordingListener la;
  RecordingListener lb;
  a->set_listener(&la);
  b->set_listener(&lb);
  a->set_remote_credentials(b->local_credentials());
  b->set_remote_credentials(a->local_credentials());
  ASSERT_TRUE(loop.run_until([&] { return la.saw(IceState::Connected); }, std::chrono::seconds(5)));
  // An echo server on B.
  lb.on_receive = [&](std::span<uint8_t> d) { b->send(d); };
  a->send(bytes("echo"));
  ASSERT_TRUE(loop.run_until([&] { return !la.datagrams.empty(); }, std::chrono::seconds(5)));
  EXPECT_EQ(la.datagrams[0], bytes("echo"));
  EXPECT_EQ(pair.flush(), 0u);  // nothing is left in the default queue
}

}  // namespace
}  // namespace rrtc::ice
