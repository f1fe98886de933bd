// One empty wake-up of a worker's GlibLoop (prepare, query, a poll that returns at once, check)
// with N timers armed an hour ahead, as a worker of a big room has a few per subscriber. Before
// the loop kept its timers in one queue behind one GLib source, each timer was a source of its
// own, and this cost grew with N. Uses only the loop's public interface, so the same file builds
// against either.
#include <benchmark/benchmark.h>
#include <glib.h>

#include <chrono>
#include <vector>

#include "io/glib_loop.hpp"

namespace {

void BM_GlibLoopIdleWakeUpWithArmedTimers(benchmark::State& state) {
  rrtc::io::GlibLoop loop;
  std::vector<rrtc::io::TimerHandle> timers;
  const auto timer_count = static_cast<std::size_t>(state.range(0));
  timers.reserve(timer_count);
  for (std::size_t i = 0; i < timer_count; ++i) {
    // Distinct deadlines, none due during the run.
    timers.push_back(
        loop.add_timer(loop.now() + std::chrono::hours(1) + std::chrono::microseconds(i), [] {}));
  }
  GMainContext* context = loop.context();
  g_main_context_acquire(context);
  for (auto _ : state) {
    benchmark::DoNotOptimize(g_main_context_iteration(context, FALSE));
  }
  g_main_context_release(context);
  state.counters["timers"] = static_cast<double>(timer_count);
}
BENCHMARK(BM_GlibLoopIdleWakeUpWithArmedTimers)->Arg(0)->Arg(100)->Arg(1000)->Arg(3000);

}  // namespace

BENCHMARK_MAIN();
