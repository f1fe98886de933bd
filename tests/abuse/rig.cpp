#include "rig.hpp"

#include <boost/json.hpp>
#include <iostream>

#include "ice/ice_options.hpp"
#include "transport/peer.hpp"

namespace rrtc::abuse {
namespace json = boost::json;

Rig::Rig(loadgen::WsUrl url) : url_(std::move(url)) {
  ice::IceOptions options;
  options.interfaces = {"127.0.0.1"};
  options.controlling = true;
  env_.ice = ice::resolve_ice_config(options);
  env_.certificate = dtls::Certificate::generate();
  env_.wheel = std::make_unique<loadgen::TimerWheel>(env_.loop.context());
  env_.loop.start("abuse-loop");
  work_.emplace(ioc_.get_executor());
  io_thread_ = std::thread([this] { ioc_.run(); });
}

Rig::~Rig() {
  stop_all();
  work_.reset();
  ioc_.stop();
  if (io_thread_.joinable()) io_thread_.join();
  env_.loop.stop();
  clients_.clear();
  env_.wheel.reset();
}

void Rig::stop_all() {
  on_loop([this] {
    for (auto& client : clients_) client->stop();
  });
}

Client& Rig::add(const std::string& room, const std::string& id, bool publishes,
                 const std::function<void(Client&)>& before_start) {
  loadgen::ParticipantSpec spec{room, id, next_index_++, publishes};
  auto client = std::make_unique<Client>(env_, ioc_, url_, std::move(spec));
  Client& ref = *client;
  clients_.push_back(std::move(client));
  on_loop([&] {
    if (before_start) before_start(ref);
    ref.start();
  });
  return ref;
}

bool Rig::wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (on_loop([&] { return condition(); })) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool Rig::run_for(std::chrono::milliseconds duration, const std::function<bool()>& fail_fast) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fail_fast && on_loop([&] { return fail_fast(); })) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

bool Rig::start_calm_pair() {
  calm_pub_ = &add("calm", "calm-pub", true);
  calm_sub_ = &add("calm", "calm-sub", false);
  const bool up = wait_until(
      [this] {
        if (calm_sub_->phase() != Phase::connected || calm_pub_->phase() != Phase::connected)
          return false;
        return true;
      },
      std::chrono::seconds(20));
  expect(up, "calm pair connected");
  if (!up) return false;
  on_loop([this] { calm_sub_->start_measuring(); });
  const bool flowing = wait_until([this] { return calm_packets() > 50; }, std::chrono::seconds(10));
  expect(flowing, "calm subscriber receives the calm publisher");
  on_loop([this] { calm_sub_->start_measuring(); });
  return flowing;
}

double Rig::calm_max_gap_ms() {
  return on_loop([this] {
    const auto gaps = calm_sub_->measured();
    const auto it = gaps.find("calm-pub");
    return it == gaps.end() ? 1e9 : static_cast<double>(it->second.max_gap_ns) / 1e6;
  });
}

std::uint64_t Rig::calm_packets() {
  const auto gaps = calm_sub_->measured();
  const auto it = gaps.find("calm-pub");
  return it == gaps.end() ? 0 : it->second.packets;
}

void Rig::sync(const std::string& name, json::object extra) {
  extra["event"] = name;
  std::cout << json::serialize(extra) << std::endl;
  std::string line;
  std::getline(std::cin, line);
}

void Rig::expect(bool ok, const std::string& what) {
  if (!ok) failures_.push_back(what);
}

int Rig::report() {
  json::array failures;
  for (const auto& f : failures_) failures.emplace_back(f);
  std::cout << json::serialize(json::object{{"result", result_}, {"failures", failures}})
            << std::endl;
  return failures_.empty() ? 0 : 1;
}

int scenario_warmup(Rig& rig) {
  rig.start_calm_pair();
  rig.stop_all();
  return rig.report();
}

}  // namespace rrtc::abuse
