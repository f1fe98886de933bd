// A bare signaling Server for tests driven from outside the process (the Python client test):
// listens on 127.0.0.1 on a free port, prints "port <n>" on stdout, and stops cleanly when stdin
// closes or on SIGTERM/SIGINT.
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>
#include <string>

#include "signaling/server.hpp"

int main(int argc, char** argv) {
  rrtc::signaling::ServerOptions options;
  options.listen_address = "127.0.0.1";
  options.port = 0;
  options.version = "python-test";
  // "--participants N" keeps the room-full case quick.
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--participants")
      options.max_participants_per_room = std::stoul(argv[i + 1]);
  }
  boost::asio::io_context ioc(1);
  rrtc::signaling::Server server(ioc, options);
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
  return 0;
}
