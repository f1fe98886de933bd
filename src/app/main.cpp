// rrtc: load the configuration, set up logging, run the signaling server until SIGINT/SIGTERM.
// `rrtc token` prints a join or admin API token instead (docs/admin-api.md).
// Exit status: 0 after a clean stop (or --help, --version, a valid --check-config, a token
// printed), 1 when the server cannot start, 2 for a configuration error (or no secret to sign a
// token with).

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <span>
#include <system_error>

#include "app/config_load.hpp"
#include "app/config_print.hpp"
#include "app/logging.hpp"
#include "app/media_options.hpp"
#include "app/server_options.hpp"
#include "app/token_command.hpp"
#include "engine/engine.hpp"
#include "log/log.hpp"
#include "signaling/server.hpp"

namespace {

using rrtc::app::Config;

constexpr auto kShutdownGrace = std::chrono::seconds(5);

// The address a browser on this machine can open: wildcard listeners are reached via localhost.
std::string browser_host(const std::string& listen_address) {
  if (listen_address == "0.0.0.0" || listen_address == "::") {
    return "localhost";
  }
  if (listen_address.find(':') != std::string::npos) {
    return "[" + listen_address + "]";
  }
  return listen_address;
}

// A participant holds four descriptors: its WebSocket, libnice's socket, the media socket beside
// it and its agent's GLib context's wake-up eventfd. The soft limit most shells and systemd give
// (1,024) would stop a server near 250 participants: raised to the hard limit, logged, and a
// warning when even that leaves room for fewer than about 1,000.
void raise_open_files_limit(spdlog::logger& log) {
  constexpr rlim_t kDescriptorsPerParticipant = 4;
  constexpr rlim_t kWarnBelow = 1000 * kDescriptorsPerParticipant;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) {
      log.info("open files limit raised from {} to {}", before, limit.rlim_max);
    } else {
      limit.rlim_cur = before;
    }
  }
  if (limit.rlim_cur < kWarnBelow) {
    log.warn(
        "open files limit stays at {}: about {} participants fit (raise it: docs/deployment.md)",
        limit.rlim_cur, limit.rlim_cur / kDescriptorsPerParticipant);
  }
}

int run_server(const Config& config, rrtc::engine::MediaEngine& engine) {
  auto& log = rrtc::log::get("app");
  boost::asio::io_context ioc(1);  // the signaling thread is this one
  rrtc::signaling::Server server(ioc, rrtc::app::to_server_options(config, rrtc::app::version()),
                                 &engine);
  server.set_extra_metrics([&engine] {
    std::string text;
    engine.append_metrics(text);
    return text;
  });
  // Installed before the server starts, so a signal sent as soon as the URL is logged is ours.
  // The first signal stops accepting and closes every session; the loop then drains: it returns
  // once the sessions are gone, or at the deadline. No backstop timer is left armed (it would
  // keep the loop alive), so a clean shutdown exits as soon as it is done.
  // In cluster mode SIGTERM drains first (docs/cluster.md): no new rooms here, the running
  // ones get up to drain_timeout_seconds; a second signal stops at once.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  bool draining = false;
  auto stop_now = [&] {
    if (deadline) return;
    signals.cancel();  // a wait armed for a second signal would keep the loop alive
    server.stop();
    deadline = std::chrono::steady_clock::now() + kShutdownGrace;
  };
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal_number) {
        if (ec) {
          return;
        }
        if (signal_number == SIGTERM && server.cluster_mode() && !draining) {
          draining = true;
          log.info("signal {}: draining for up to {} s (a second signal stops at once)",
                   signal_number, config.drain_timeout.count());
          signals.async_wait(on_signal);
          server.drain([&] {
            log.info("drained: closing sessions");
            stop_now();
          });
          return;
        }
        log.info("signal {}: closing sessions", signal_number);
        stop_now();
      };
  signals.async_wait(on_signal);
  std::uint16_t port = 0;
  try {
    port = server.start();
  } catch (const std::system_error& error) {
    log.error("cannot listen on {}:{}: {}", config.listen_address, config.signaling_port,
              error.what());
    return 1;
  }
  std::string host = browser_host(config.listen_address);
  log.info(
      "rrtc {} listening on {} port {}: open http://{}:{}/ in a browser; clients connect to "
      "ws://{}:{}/ws (Ctrl-C or SIGTERM stops)",
      rrtc::app::version(), config.listen_address, port, host, port, host, port);

  while (!deadline && ioc.run_one() != 0) {
  }
  if (deadline) {
    ioc.run_until(*deadline);
    if (!ioc.stopped()) {
      log.warn("sessions still open after {} s; stopping anyway", kShutdownGrace.count());
      ioc.stop();
    }
  }
  // The workers post to this io_context (a PeerConnection closing late, a candidate): stop them
  // while it still exists, so nothing is posted to a destroyed one.
  engine.stop();
  log.info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::error_code ec;
  std::filesystem::path working_dir = std::filesystem::current_path(ec);
  auto result =
      rrtc::app::load_config(std::span<const char* const>(argv, static_cast<std::size_t>(argc)),
                             rrtc::app::environment_from(environ), working_dir);
  if (const auto* error = std::get_if<rrtc::app::ConfigError>(&result)) {
    std::cerr << "rrtc: error: " << error->to_string() << '\n';
    return 2;
  }
  auto& loaded = std::get<rrtc::app::LoadedConfig>(result);
  switch (loaded.action) {
    case rrtc::app::Action::kHelp:
      std::cout << loaded.usage;
      return 0;
    case rrtc::app::Action::kVersion:
      std::cout << "rrtc " << rrtc::app::version() << '\n';
      return 0;
    case rrtc::app::Action::kCheckConfig:
      for (const auto& warning : loaded.warnings) {
        std::cerr << "rrtc: warning: " << warning.to_string() << '\n';
      }
      std::cout << rrtc::app::print_config(loaded.config,
                                           {.mask_secrets = true, .origins = &loaded.origins});
      return 0;
    case rrtc::app::Action::kToken: {
      // Only the token on stdout, so `TOKEN=$(rrtc token ...)` works; warnings go to stderr.
      for (const auto& warning : loaded.warnings) {
        std::cerr << "rrtc: warning: " << warning.to_string() << '\n';
      }
      auto issued =
          rrtc::app::issue_token(loaded.config, *loaded.token, std::chrono::system_clock::now());
      if (!issued.error.empty()) {
        std::cerr << "rrtc token: error: " << issued.error << '\n';
        return 2;
      }
      std::cout << issued.token << '\n';
      return 0;
    }
    case rrtc::app::Action::kRun:
      break;
  }
  // log_level was checked while loading, so it parses.
  auto filter =
      rrtc::app::parse_log_filter(loaded.config.log_level).value_or(rrtc::app::LogFilter{});
  rrtc::app::configure_logging(filter, loaded.config.log_format);
  auto& log = rrtc::log::get("app");
  for (const auto& warning : loaded.warnings) {
    log.warn("{}", warning.to_string());
  }
  raise_open_files_limit(log);
  // The media workers start before the server so no offer finds them missing; an ICE setting
  // that cannot be resolved (an unknown interface, a bad STUN/TURN host) is a configuration error.
  std::optional<rrtc::engine::MediaEngine> engine;
  try {
    engine.emplace(rrtc::app::to_media_options(loaded.config));
  } catch (const std::invalid_argument& error) {
    std::cerr << "rrtc: error: " << error.what() << '\n';
    return 2;
  }
  int status = run_server(loaded.config, *engine);
  engine->stop();
  return status;
}
