// The signaling server with the media engine, in one process, for tests driven from outside (the
// aiortc test): what the rrtc binary does once its main() constructs the engine. Listens on
// 127.0.0.1 on a free port, gathers ICE candidates on 127.0.0.1 only, prints "port <n>" on
// stdout, appends the media counters to /metrics, and stops cleanly when stdin closes or on
// SIGTERM/SIGINT.
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <functional>
#include <iostream>
#include <string>

#include "room/engine.hpp"
#include "signaling/server.hpp"

int main() {
  rrtc::room::MediaEngineOptions media;
  media.workers = 2;
  media.ice.interfaces = {"127.0.0.1"};
  rrtc::room::MediaEngine engine(media);  // outlives the Server, which holds a pointer to it

  rrtc::signaling::ServerOptions options;
  options.listen_address = "127.0.0.1";
  options.port = 0;
  options.version = "media-test";
  boost::asio::io_context ioc(1);
  rrtc::signaling::Server server(ioc, options, &engine);
  server.set_extra_metrics([&engine] {
    std::string text;
    engine.append_metrics(text);
    return text;
  });
  std::cout << "port " << server.start() << std::endl;

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  boost::asio::posix::stream_descriptor input(ioc, ::dup(STDIN_FILENO));
  char byte = 0;
  auto stop = [&] {
    signals.cancel();
    input.close();
    server.stop();
  };
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) stop();
  });
  // Any read completion (EOF included) means the driving test is done with us.
  std::function<void(boost::system::error_code, std::size_t)> on_input;
  on_input = [&](boost::system::error_code ec, std::size_t) {
    if (ec) return stop();
    input.async_read_some(boost::asio::buffer(&byte, 1), on_input);
  };
  input.async_read_some(boost::asio::buffer(&byte, 1), on_input);
  ioc.run();
  // The workers may still post to the io_context (it outlives them): close every peer first.
  engine.stop();
  return 0;
}
