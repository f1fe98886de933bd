#pragma once
// rrtc-floor's output: one table row per variant on stdout, and all rows as JSON.

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "fan_out.hpp"
#include "options.hpp"

namespace rrtc::floor_bench {

// What the run was, printed above the table and stored with the rows.
struct RunInfo {
  std::size_t rcvbuf = 0;  // granted per receiver socket
  bool rcvbuf_forced = false;
  std::string load_before;
  std::string load_after;
};

void print_header(std::ostream& out, const Options& options, const RunInfo& info);
void print_row(std::ostream& out, const Measurement& m);
// Throws std::runtime_error if the file cannot be written.
void write_json(const std::string& path, const Options& options, const RunInfo& info,
                const std::vector<Measurement>& rows);

}  // namespace rrtc::floor_bench
