#pragma once
// Counts heap allocations while a CountAllocations scope is alive, to prove a hot path
// allocates nothing: operator new in all its forms (aligned, nothrow, arrays), malloc, calloc,
// realloc, aligned_alloc, posix_memalign and memalign, so allocations inside OpenSSL, GLib and
// libnice count as much as ours. Link support/counting_new.cpp into the test binary; it changes
// the process's allocator, so such a test needs a binary of its own.
//
// How it sees C's malloc (support/counting_new.cpp):
// - under a sanitizer (ASan, TSan), which owns malloc, through the allocator hook the sanitizer
//   runtime calls on every allocation (__sanitizer_install_malloc_and_free_hooks);
// - without one, by defining malloc and its relatives in the executable (they take precedence
//   over libc's for every shared library too) and forwarding to glibc's __libc_* functions.
// operator new reaches malloc (libstdc++) or the sanitizer's allocator either way.
//
// Only allocations of the thread that opened the scope count: the hot paths under test run on
// it, and a helper thread of a library (GLib's worker, usrsctp's timer) would make counts flaky.
// With RRTC_COUNT_ALLOCATIONS_TRACE=1 in the environment, a sanitizer build prints the stack of
// every counted allocation, to find which library allocated.

#include <cstddef>

namespace rrtc::test {

class CountAllocations {
 public:
  CountAllocations();
  ~CountAllocations();
  CountAllocations(const CountAllocations&) = delete;
  CountAllocations& operator=(const CountAllocations&) = delete;
  // Allocations by this thread since the scope began.
  std::size_t count() const;
};

}  // namespace rrtc::test
