#pragma once
// --glib-can-recurse: every GLib source on a loop thread's context marked G_SOURCE_CAN_RECURSE.
//
// Why: GLib (2.74) "blocks" a source that may not recurse for the length of its dispatch: it
// removes the source's descriptors from the context's poll records and adds them back after, and
// each of those walks the context's list of poll records (sorted by descriptor, so one step per
// descriptor of the context) and writes the context's wake-up eventfd. A big-room subscriber's
// media socket is dispatched once per received packet, and a loop thread holding 300 Peers has
// about 1,200 descriptors: two walks of 1,200 records and two write(2)s per packet were a third
// of the loadgen's CPU (bench/forwarding-floor.md, "A load generator for 1,000 subscribers").
// A source that may recurse is not blocked, so none of that happens.
//
// Why it is safe here: blocking only matters when something iterates the same context from
// inside a dispatch (a nested main loop, a blocking libnice receive); nothing on the loadgen's
// loop threads does, and the one reader that could be re-entered (NiceTransport::read_media)
// guards itself. What is dispatched, and when, is unchanged.
//
// How: the sources are libnice's, the ICE transport's and the loop's own, created where the
// loadgen cannot mark them, so a sweep (every `interval_ms` on the loop's thread, from its own
// timer source) marks every source attached since the previous sweep, found by id: ids of a
// context increase, and a throw-away source attached at the sweep gives the newest.
//
// Threading: constructed and destroyed while the loop runs or before; sweep() on the loop's
// thread (or, before the loop runs, on any one thread).

#include <glib.h>

#include <cstddef>

namespace rrtc::loadgen {

class SourceSweeper {
 public:
  // Attaches the sweep timer to `context` when interval_ms > 0 (else sweep() only by hand).
  SourceSweeper(GMainContext* context, unsigned interval_ms);
  ~SourceSweeper();
  SourceSweeper(const SourceSweeper&) = delete;
  SourceSweeper& operator=(const SourceSweeper&) = delete;

  // Marks the live sources attached since the last sweep; returns how many it marked.
  std::size_t sweep();
  std::size_t marked() const { return marked_; }

 private:
  static gboolean on_timer(gpointer self);

  GMainContext* context_;
  GSource* timer_ = nullptr;
  guint next_id_ = 1;
  std::size_t marked_ = 0;
};

}  // namespace rrtc::loadgen
