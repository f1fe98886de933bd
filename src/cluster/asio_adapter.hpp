#pragma once
// Drives a hiredis async context from a Boost.Asio io_context. hiredis ships adapters for libev,
// libevent, libuv, glib and others, but none for Asio, so this is ours: hiredis asks for read and
// write interest through its ev hooks (addRead, delRead, addWrite, delWrite, cleanup); we wait
// for readiness on its socket with posix::stream_descriptor::async_wait and call
// redisAsyncHandleRead / redisAsyncHandleWrite.
//
// The descriptor never owns the socket: hiredis closes it in redisFree, after calling cleanup,
// where we release() it (which cancels the outstanding waits). A wait that completes after
// cleanup finds the context gone and does nothing: each wait holds the adapter by shared_ptr,
// so the adapter outlives the context by as long as it must.
//
// Threading: everything runs on the io_context's thread; the context must only be used there.

#include <boost/asio/io_context.hpp>

struct redisAsyncContext;

namespace rrtc::cluster {

// Installs the hooks on `context` (its socket is already created by redisAsyncConnect). Returns
// false when the descriptor cannot be registered with the io_context (the caller frees the
// context).
bool attach_asio(redisAsyncContext& context, boost::asio::io_context& io);

}  // namespace rrtc::cluster
