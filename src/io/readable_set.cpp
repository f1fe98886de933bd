#include "io/readable_set.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <new>
#include <vector>

namespace rrtc::io {

struct ReadableWatch::Registration {
  GSource* set;  // a reference, held until the registration is freed
  int fd;
  Callback fn;  // nullptr once removed during a dispatch
  void* data;
};

namespace {

constexpr int kEventsPerDispatch = 64;

// What the set keeps beside its GSource (GLib allocates the source as C memory).
struct SetState {
  int epoll_fd = -1;
  std::size_t watched = 0;
  int depth = 0;  // dispatches running (a callback may iterate the context: the source recurses)
  // Registrations removed while a dispatch runs, freed when the outermost one ends. Its capacity
  // is kept at least `watched` + its size, so a removal never allocates.
  std::vector<ReadableWatch::Registration*> removed;
};

struct SetSource {
  GSource base;
  SetState* state;
};

SetState& state_of(GSource* source) noexcept {
  return *reinterpret_cast<SetSource*>(source)->state;
}

gboolean dispatch_set(GSource* source, GSourceFunc /*callback*/, gpointer /*data*/) noexcept {
  SetState& state = state_of(source);
  std::array<epoll_event, kEventsPerDispatch> events{};
  const int ready = epoll_wait(state.epoll_fd, events.data(), kEventsPerDispatch, 0);
  ++state.depth;
  for (int i = 0; i < ready; ++i) {
    auto* registration = static_cast<ReadableWatch::Registration*>(events[i].data.ptr);
    if (registration->fn != nullptr) registration->fn(registration->data);
  }
  if (--state.depth == 0) {
    for (auto* registration : state.removed) delete registration;
    state.removed.clear();
  }
  return G_SOURCE_CONTINUE;
}

void finalize_set(GSource* source) noexcept {
  SetState* state = reinterpret_cast<SetSource*>(source)->state;
  if (state == nullptr) return;
  if (state->epoll_fd >= 0) close(state->epoll_fd);
  delete state;
}

// prepare and check are GLib's: the source is ready when its one descriptor (the epoll set) is.
GSourceFuncs set_funcs = {nullptr, nullptr, &dispatch_set, &finalize_set, nullptr, nullptr};

// The callback data that marks our set among a context's sources (find_source_by_funcs_user_data
// compares it).
int set_marker = 0;
gboolean unused_callback(gpointer /*data*/) noexcept { return G_SOURCE_CONTINUE; }

GMainContext* or_default(GMainContext* context) noexcept {
  return context != nullptr ? context : g_main_context_default();
}

GSource* find_set(GMainContext* context) noexcept {
  return g_main_context_find_source_by_funcs_user_data(or_default(context), &set_funcs,
                                                       &set_marker);
}

// The context's set, created on first use; nullptr when the kernel refuses an epoll descriptor.
GSource* set_for(GMainContext* context) noexcept {
  if (GSource* found = find_set(context)) return found;
  auto* state = new (std::nothrow) SetState;
  if (state == nullptr) return nullptr;
  state->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (state->epoll_fd < 0) {
    delete state;
    return nullptr;
  }
  GSource* source = g_source_new(&set_funcs, sizeof(SetSource));
  reinterpret_cast<SetSource*>(source)->state = state;
  g_source_add_unix_fd(source, state->epoll_fd, G_IO_IN);
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  // Never blocked during its dispatch: no poll-set change and no wake-up per dispatch
  // (io/fd_source.hpp).
  g_source_set_can_recurse(source, TRUE);
  g_source_set_callback(source, &unused_callback, &set_marker, nullptr);
  g_source_attach(source, or_default(context));
  g_source_unref(source);  // the context holds it; each registration takes its own reference
  return source;
}

}  // namespace

ReadableWatch ReadableWatch::watch(GMainContext* context, int fd, Callback fn,
                                   void* data) noexcept {
  GSource* set = set_for(context);
  if (set == nullptr) return {};
  SetState& state = state_of(set);
  try {
    state.removed.reserve(state.watched + state.removed.size() + 1);
  } catch (...) {
    return {};
  }
  auto* registration = new (std::nothrow) Registration{set, fd, fn, data};
  if (registration == nullptr) return {};
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = registration;
  if (epoll_ctl(state.epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
    delete registration;
    return {};
  }
  ++state.watched;
  g_source_ref(set);
  return ReadableWatch(registration);
}

ReadableWatch& ReadableWatch::operator=(ReadableWatch&& other) noexcept {
  if (this != &other) {
    reset();
    registration_ = other.registration_;
    other.registration_ = nullptr;
  }
  return *this;
}

void ReadableWatch::reset() noexcept {
  Registration* registration = registration_;
  if (registration == nullptr) return;
  registration_ = nullptr;
  GSource* set = registration->set;
  SetState& state = state_of(set);
  epoll_ctl(state.epoll_fd, EPOLL_CTL_DEL, registration->fd, nullptr);
  --state.watched;
  if (state.depth > 0) {
    // It may still be among the events the running dispatch holds: freed when that ends.
    registration->fn = nullptr;
    state.removed.push_back(registration);  // within the capacity reserved at watch()
  } else {
    delete registration;
  }
  g_source_unref(set);  // the last reference (the context is gone) closes the epoll descriptor
}

std::size_t ReadableWatch::watched(GMainContext* context) noexcept {
  GSource* set = find_set(context);
  return set != nullptr ? state_of(set).watched : 0;
}

}  // namespace rrtc::io
