#pragma once
// Counts heap allocations while a CountAllocations scope is alive, to prove a hot path
// allocates nothing. Link support/counting_new.cpp into the test binary: it replaces the global
// operator new, so such a test needs a binary of its own.

#include <cstddef>

namespace rrtc::test {

class CountAllocations {
 public:
  CountAllocations();
  ~CountAllocations();
  CountAllocations(const CountAllocations&) = delete;
  CountAllocations& operator=(const CountAllocations&) = delete;
  // Allocations since the scope began.
  std::size_t count() const;
};

}  // namespace rrtc::test
