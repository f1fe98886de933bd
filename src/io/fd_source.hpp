#pragma once
// A GLib source that calls `fn` when `fd` is readable, for the descriptors the worker reads on
// every packet (a media socket, an egress eventfd).
//
// Why not a plain g_unix_fd_source_new(): GLib (2.74) blocks a source that cannot recurse for
// the length of its dispatch, and blocking and unblocking remove and re-add its descriptor to
// the context's poll set, each of which writes the context's wake-up eventfd. Every dispatch of
// such a source then costs two write(2) calls and leaves the wake-up fd readable, so the
// loop's next poll returns at once and runs a whole empty iteration (prepare, query, poll of
// every descriptor, check) before it sleeps: measured on a 1 -> 10 room, 40 % of the media
// worker's polls were these. A source that may recurse is never blocked. The callbacks given
// here must therefore tolerate being entered again if a callback iterates the context itself
// (none of ours does; NiceTransport::read_media also refuses nested reads).
//
// Threading: call on the thread that owns `context`. The caller owns the returned reference
// (g_source_destroy + g_source_unref to remove it).

#include <glib-unix.h>
#include <glib.h>

namespace rrtc::io {

GSource* attach_readable_source(GMainContext* context, int fd, GUnixFDSourceFunc fn, void* data);

}  // namespace rrtc::io
