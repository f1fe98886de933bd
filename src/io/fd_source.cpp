#include "io/fd_source.hpp"

namespace rrtc::io {

GSource* attach_readable_source(GMainContext* context, int fd, GUnixFDSourceFunc fn, void* data) {
  GSource* source = g_unix_fd_source_new(fd, G_IO_IN);
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  // Never blocked during its dispatch, so no poll-set change and no wake-up per dispatch
  // (header).
  g_source_set_can_recurse(source, TRUE);
  g_source_set_callback(source, reinterpret_cast<GSourceFunc>(fn), data, nullptr);
  g_source_attach(source, context);
  return source;
}

}  // namespace rrtc::io
