#include "support/counting_new.hpp"

#include <cstdlib>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define RRTC_SANITIZER_ALLOCATOR 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RRTC_SANITIZER_ALLOCATOR 1
#endif

namespace {
// Per thread, so the hook needs no atomics and other threads' allocations stay out (header).
thread_local bool counting = false;
thread_local bool tracing = false;
thread_local bool in_trace = false;
thread_local std::size_t allocations = 0;

void count_one() {
  if (!counting) return;
  ++allocations;
}
}  // namespace

#ifdef RRTC_SANITIZER_ALLOCATOR

// The sanitizer runtime provides these (sanitizer/allocator_interface.h).
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             std::size_t),
                                                         void (*free_hook)(const volatile void*));
extern "C" void __sanitizer_print_stack_trace();

namespace {
// Called by the sanitizer's allocator for every malloc, calloc, realloc, memalign and new.
void on_allocate(const volatile void*, std::size_t) {
  if (!counting || in_trace) return;
  count_one();
  if (tracing) {
    in_trace = true;
    __sanitizer_print_stack_trace();
    in_trace = false;
  }
}
void on_free(const volatile void*) {}

// Installed before main, so no test can open a scope before the hook exists.
[[maybe_unused]] const bool hooks_installed =
    __sanitizer_install_malloc_and_free_hooks(on_allocate, on_free) != 0;
}  // namespace

#else  // no sanitizer: this executable's malloc and relatives replace libc's

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* memory, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* memory);

void* malloc(std::size_t size) {
  count_one();
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) {
  count_one();
  return __libc_calloc(count, size);
}
void* realloc(void* memory, std::size_t size) {
  count_one();
  return __libc_realloc(memory, size);
}
void free(void* memory) { __libc_free(memory); }
void* memalign(std::size_t alignment, std::size_t size) {
  count_one();
  return __libc_memalign(alignment, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) {
  count_one();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return 22;  // EINVAL
  count_one();
  void* memory = __libc_memalign(alignment, size);
  if (memory == nullptr) return 12;  // ENOMEM
  *out = memory;
  return 0;
}
}  // extern "C"

#endif

namespace rrtc::test {

CountAllocations::CountAllocations() {
  const char* trace = std::getenv("RRTC_COUNT_ALLOCATIONS_TRACE");
  tracing = trace != nullptr && trace[0] == '1';
  allocations = 0;
  counting = true;
}
CountAllocations::~CountAllocations() { counting = false; }
std::size_t CountAllocations::count() const { return allocations; }

}  // namespace rrtc::test
