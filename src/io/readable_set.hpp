#pragma once
// Many descriptors behind one GLib source: the media sockets of a worker (one per connected peer)
// in one epoll(7) set per GMainContext, which GLib polls as ONE descriptor and walks as ONE
// source. With a source per socket, every wake-up of a worker of a big room prepared and checked
// every peer's source and poll(2)ed every peer's socket (issue 18's profile: the walk grew with
// the room, 30-40 % of the room's worker at 300 subscribers); now a wake-up costs the sockets
// that are ready.
//
// Level-triggered: a socket left with datagrams (a reader bounds its reads per wake-up) is
// reported again on the next one. One dispatch runs at most kEventsPerDispatch callbacks; the
// epoll descriptor stays readable while more are ready, so the rest run on the next iteration.
// The source may recurse, like io::attach_readable_source's (io/fd_source.hpp says why).
//
// Descriptor reuse: a watch is removed from the set (EPOLL_CTL_DEL) when its handle is destroyed,
// which the owner does before it closes the descriptor, so a number closed and reused is never
// watched under its old registration.
//
// Lifetime: the set is created on the first watch of a context and lives as long as the context
// or a watch holds it. A watch removed during a dispatch (a callback closing another peer whose
// socket was ready in the same batch) is freed when that dispatch ends, never run after removal.
//
// Threading: the thread that owns the context (the worker's); a ReadableWatch is destroyed there.

#include <glib.h>

#include <cstddef>

namespace rrtc::io {

class ReadableWatch {
 public:
  using Callback = void (*)(void* data) noexcept;
  struct Registration;

  ReadableWatch() = default;
  // `fn(data)` runs on `context`'s thread whenever `fd` is readable. Empty (active() false) if
  // the kernel refused (no epoll descriptor, or the descriptor cannot be watched).
  static ReadableWatch watch(GMainContext* context, int fd, Callback fn, void* data) noexcept;
  ~ReadableWatch() { reset(); }
  ReadableWatch(ReadableWatch&& other) noexcept : registration_(other.registration_) {
    other.registration_ = nullptr;
  }
  ReadableWatch& operator=(ReadableWatch&& other) noexcept;
  ReadableWatch(const ReadableWatch&) = delete;
  ReadableWatch& operator=(const ReadableWatch&) = delete;

  bool active() const noexcept { return registration_ != nullptr; }
  // Stops watching (idempotent).
  void reset() noexcept;

  // Descriptors watched through `context`'s set (tests, diagnostics); 0 without a set.
  static std::size_t watched(GMainContext* context) noexcept;

 private:
  explicit ReadableWatch(Registration* registration) noexcept : registration_(registration) {}
  Registration* registration_ = nullptr;
};

}  // namespace rrtc::io
