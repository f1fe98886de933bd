#include "thread_cpu.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace rrtc::floor_bench {

namespace {

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; }

}  // namespace

void pin_current_thread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  const int error = ::pthread_setaffinity_np(::pthread_self(), sizeof(set), &set);
  if (error != 0) {
    std::cerr << "rrtc-floor: cannot pin a thread to cpu " << cpu << ": " << std::strerror(error)
              << "\n";
  }
}

ThreadCpu thread_cpu() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

double core_softirq_seconds(int cpu) {
  // "cpuN user nice system idle iowait irq softirq ...", in USER_HZ ticks.
  std::ifstream stat("/proc/stat");
  const std::string wanted = "cpu" + std::to_string(cpu);
  std::string line;
  while (std::getline(stat, line)) {
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    if (name != wanted) continue;
    double ticks[7] = {};
    for (double& field : ticks) fields >> field;
    if (!fields) return -1;
    return ticks[6] / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return -1;
}

double ksoftirqd_seconds(int cpu) {
  const std::string wanted = "ksoftirqd/" + std::to_string(cpu);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    std::string comm;
    std::getline(std::ifstream(entry.path() / "comm"), comm);
    if (comm != wanted) continue;
    // "pid (comm) state ppid ... utime stime": utime and stime are fields 14 and 15, the 12th
    // and 13th after the closing parenthesis.
    std::string stat;
    std::getline(std::ifstream(entry.path() / "stat"), stat);
    std::istringstream fields(stat.substr(stat.rfind(')') + 1));
    std::string field;
    for (int i = 0; i < 11; ++i) fields >> field;
    double utime = 0, stime = 0;
    if (!(fields >> utime >> stime)) return -1;
    return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return -1;
}

std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

}  // namespace rrtc::floor_bench
