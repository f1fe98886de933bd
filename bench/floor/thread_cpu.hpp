#pragma once
// Where the benchmark's threads run and what CPU they used.

#include <string>

namespace rrtc::floor_bench {

// Pins the calling thread to `cpu`; on failure warns on stderr and leaves it unpinned.
void pin_current_thread(int cpu);

// The calling thread's CPU time so far (getrusage(RUSAGE_THREAD)), in seconds.
struct ThreadCpu {
  double user_s = 0;
  double sys_s = 0;
};
ThreadCpu thread_cpu();

// Seconds /proc/stat has charged to softirq on `cpu` since boot (tick-sampled, whoever ran),
// or a negative value if it cannot be read.
double core_softirq_seconds(int cpu);

// User+sys seconds of the kernel thread ksoftirqd/<cpu> since boot, or a negative value if it
// cannot be found. Softirq work the kernel defers from the sender's context lands there.
double ksoftirqd_seconds(int cpu);

// /proc/loadavg's first three fields, for the record of how busy the machine was.
std::string load_average();

}  // namespace rrtc::floor_bench
