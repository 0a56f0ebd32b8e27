#include <bessd/app/process_memory.hpp>

#include <malloc.h>
#include <pthread.h>

#include <cstring>

namespace bessd::app {

namespace {

constexpr std::size_t kThreadStackBytes = std::size_t{512} * 1024;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

ProcessMemoryResult limit_process_memory() {
  ProcessMemoryResult r;
  if (kSanitized) {
    r.detail = "sanitizer build: glibc arena and thread stack defaults kept";
    return r;
  }
  r.arena_limited = ::mallopt(M_ARENA_MAX, 1) == 1;
  if (!r.arena_limited) r.detail = "mallopt(M_ARENA_MAX) refused";

  pthread_attr_t attr;
  if (const int rc = ::pthread_attr_init(&attr); rc != 0) {
    r.detail +=
        (r.detail.empty() ? "" : "; ") + std::string("pthread_attr_init: ") + std::strerror(rc);
    return r;
  }
  int rc = ::pthread_attr_setstacksize(&attr, kThreadStackBytes);
  if (rc == 0) rc = ::pthread_setattr_default_np(&attr);
  ::pthread_attr_destroy(&attr);
  r.stack_size_set = rc == 0;
  if (rc != 0)
    r.detail += (r.detail.empty() ? "" : "; ") + std::string("default thread stack size: ") +
                std::strerror(rc);
  return r;
}

}  // namespace bessd::app
