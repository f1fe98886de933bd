// The allocation counter (support/counting_new.hpp) itself: every way of allocating counts
// exactly once, in C++, C, OpenSSL and GLib, and only on the thread that opened the scope.
// Without this, "the hot path allocates nothing" could mean "the counter saw nothing".

#include <glib.h>
#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <thread>

#include "support/counting_new.hpp"

namespace rrtc::test {
namespace {

// Stores through a volatile pointer, so the compiler cannot drop a malloc/free pair.
void* volatile sink = nullptr;

template <typename Allocate>
std::size_t allocations_of(Allocate allocate) {
  CountAllocations scope;
  allocate();
  return scope.count();
}

TEST(CountAllocations, OperatorNewInEveryForm) {
  EXPECT_EQ(allocations_of([] {
              auto* value = new int(1);
              sink = value;
              delete value;
            }),
            1u);
  EXPECT_EQ(allocations_of([] {
              auto* values = new int[64];
              sink = values;
              delete[] values;
            }),
            1u);
  struct alignas(64) Line {
    char bytes[64];
  };
  EXPECT_EQ(allocations_of([] {
              auto* line = new Line;
              sink = line;
              delete line;
            }),
            1u);
  EXPECT_EQ(allocations_of([] {
              auto* value = new (std::nothrow) int(2);
              sink = value;
              delete value;
            }),
            1u);
}

TEST(CountAllocations, MallocCallocReallocAndAlignedAllocations) {
  EXPECT_EQ(allocations_of([] {
              sink = std::malloc(100);
              std::free(sink);
            }),
            1u);
  EXPECT_EQ(allocations_of([] {
              sink = std::calloc(10, 10);
              std::free(sink);
            }),
            1u);
  void* memory = std::malloc(16);
  sink = memory;
  // Growing far past the block's size moves it: realloc allocates anew.
  EXPECT_EQ(allocations_of([&] {
              memory = std::realloc(memory, 1 << 20);
              sink = memory;
            }),
            1u);
  std::free(memory);
  EXPECT_EQ(allocations_of([] {
              sink = std::aligned_alloc(64, 256);
              std::free(sink);
            }),
            1u);
  EXPECT_EQ(allocations_of([] {
              void* aligned = nullptr;
              ASSERT_EQ(posix_memalign(&aligned, 64, 256), 0);
              sink = aligned;
              std::free(aligned);
            }),
            1u);
  sink = std::malloc(64);
  EXPECT_EQ(allocations_of([] { std::free(sink); }), 0u);  // freeing is no allocation
}

TEST(CountAllocations, LibrariesAllocationsCount) {
  EXPECT_EQ(allocations_of([] {
              sink = OPENSSL_malloc(32);
              OPENSSL_free(sink);
            }),
            1u);
  EXPECT_EQ(allocations_of([] {
              sink = g_malloc(32);
              g_free(sink);
            }),
            1u);
  // A cipher context from OpenSSL allocates at least once, wherever inside it does.
  EXPECT_GE(allocations_of([] {
              EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
              sink = context;
              EVP_CIPHER_CTX_free(context);
            }),
            1u);
}

TEST(CountAllocations, OnlyTheScopesThreadCountsAndTheScopeEnds) {
  std::size_t counted = 0;
  {
    CountAllocations scope;
    std::thread other([] {
      for (int i = 0; i < 10; ++i) {
        sink = std::malloc(64);
        std::free(sink);
      }
    });
    const std::size_t before_join = scope.count();
    other.join();
    sink = std::malloc(64);
    std::free(sink);
    // Starting the thread allocated on this one (its state); of what followed, the other
    // thread's ten did not count, this thread's one did.
    counted = scope.count() - before_join;
  }
  EXPECT_EQ(counted, 1u);
  sink = std::malloc(8);
  std::free(sink);
  CountAllocations fresh;
  EXPECT_EQ(fresh.count(), 0u);
}

}  // namespace
}  // namespace rrtc::test
