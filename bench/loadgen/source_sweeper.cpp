#include "source_sweeper.hpp"

namespace rrtc::loadgen {

SourceSweeper::SourceSweeper(GMainContext* context, unsigned interval_ms) : context_(context) {
  if (interval_ms == 0) return;
  timer_ = g_timeout_source_new(interval_ms);
  g_source_set_callback(timer_, &SourceSweeper::on_timer, this, nullptr);
  g_source_attach(timer_, context_);
}

SourceSweeper::~SourceSweeper() {
  if (timer_ != nullptr) {
    g_source_destroy(timer_);
    g_source_unref(timer_);
  }
}

gboolean SourceSweeper::on_timer(gpointer self) {
  static_cast<SourceSweeper*>(self)->sweep();
  return G_SOURCE_CONTINUE;
}

std::size_t SourceSweeper::sweep() {
  // The newest id: what the context hands out next, less one.
  GSource* probe = g_idle_source_new();
  const guint newest = g_source_attach(probe, context_);
  g_source_destroy(probe);
  g_source_unref(probe);
  std::size_t marked = 0;
  for (guint id = next_id_; id < newest; ++id) {
    GSource* source = g_main_context_find_source_by_id(context_, id);
    if (source == nullptr || source == timer_ || g_source_is_destroyed(source) ||
        g_source_get_can_recurse(source)) {
      continue;
    }
    g_source_set_can_recurse(source, TRUE);
    ++marked;
  }
  next_id_ = newest + 1;
  marked_ += marked;
  return marked;
}

}  // namespace rrtc::loadgen
