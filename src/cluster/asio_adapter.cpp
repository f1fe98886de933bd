#include "cluster/asio_adapter.hpp"

#include <hiredis/async.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>

namespace rrtc::cluster {
namespace {

namespace asio = boost::asio;

class Adapter : public std::enable_shared_from_this<Adapter> {
 public:
  Adapter(asio::io_context& io, redisAsyncContext& context) : context_(&context), socket_(io) {}

  bool assign() {
    boost::system::error_code ec;
    socket_.assign(context_->c.fd, ec);
    return !ec;
  }

  void add_read() {
    want_read_ = true;
    if (!read_waiting_) wait(asio::posix::stream_descriptor::wait_read);
  }
  void del_read() { want_read_ = false; }
  void add_write() {
    want_write_ = true;
    if (!write_waiting_) wait(asio::posix::stream_descriptor::wait_write);
  }
  void del_write() { want_write_ = false; }

  redisAsyncContext* context() const noexcept { return context_; }

  // hiredis is about to close the socket and free the context.
  void cleanup() {
    context_ = nullptr;
    want_read_ = want_write_ = false;
    socket_.release();  // cancels the waits; hiredis closes the fd itself
  }

 private:
  void wait(asio::posix::stream_descriptor::wait_type type) {
    const bool read = type == asio::posix::stream_descriptor::wait_read;
    (read ? read_waiting_ : write_waiting_) = true;
    socket_.async_wait(type, [self = shared_from_this(), read](boost::system::error_code ec) {
      (read ? self->read_waiting_ : self->write_waiting_) = false;
      if (ec || self->context_ == nullptr || !(read ? self->want_read_ : self->want_write_)) {
        return;
      }
      if (read) {
        redisAsyncHandleRead(self->context_);
      } else {
        redisAsyncHandleWrite(self->context_);
      }
      // hiredis re-adds interest from inside the call when it wants more; this catches the
      // case where interest stayed on without a new add (a wait is one-shot).
      if (self->context_ == nullptr) return;
      if (read && self->want_read_ && !self->read_waiting_) {
        self->wait(asio::posix::stream_descriptor::wait_read);
      } else if (!read && self->want_write_ && !self->write_waiting_) {
        self->wait(asio::posix::stream_descriptor::wait_write);
      }
    });
  }

  redisAsyncContext* context_;
  asio::posix::stream_descriptor socket_;
  bool want_read_ = false;
  bool want_write_ = false;
  bool read_waiting_ = false;
  bool write_waiting_ = false;
};

// ev.data: a heap shared_ptr, deleted by the cleanup hook.
using Holder = std::shared_ptr<Adapter>;

Adapter* adapter_of(void* data) { return data ? static_cast<Holder*>(data)->get() : nullptr; }

}  // namespace

bool attach_asio(redisAsyncContext& context, asio::io_context& io) {
  auto adapter = std::make_shared<Adapter>(io, context);
  if (!adapter->assign()) return false;
  context.ev.data = new Holder(std::move(adapter));
  context.ev.addRead = [](void* data) {
    if (auto* a = adapter_of(data)) a->add_read();
  };
  context.ev.delRead = [](void* data) {
    if (auto* a = adapter_of(data)) a->del_read();
  };
  context.ev.addWrite = [](void* data) {
    if (auto* a = adapter_of(data)) a->add_write();
  };
  context.ev.delWrite = [](void* data) {
    if (auto* a = adapter_of(data)) a->del_write();
  };
  // hiredis 0.14 calls cleanup once, from __redisAsyncFree; newer versions may call it more
  // than once. The first call detaches the hooks (null data) and drops our reference.
  context.ev.cleanup = [](void* data) {
    if (data == nullptr) return;
    auto* holder = static_cast<Holder*>(data);
    if (redisAsyncContext* c = (*holder)->context()) {
      c->ev.data = nullptr;
    }
    (*holder)->cleanup();
    delete holder;
  };
  return true;
}

}  // namespace rrtc::cluster
