#pragma once
// Process-wide memory settings for the daemon, applied before any thread starts.

#include <string>

namespace bessd::app {

struct ProcessMemoryResult {
  bool arena_limited{false};
  bool stack_size_set{false};
  std::string detail;  // what could not be applied, for one log line; empty when all was
};

/// glibc reserves 64 MiB of address space for the malloc arena of each thread that allocates,
/// and 8 MiB for every thread stack. bessd's few helper threads (Modbus link, storage writer,
/// API queries) allocate little and recurse shallowly, so one arena and 512 KiB stacks keep
/// the daemon's virtual size small on a gateway, where address space (32-bit ARM) and
/// overcommit accounting are tight. Left alone under sanitizers, whose runtimes need their own
/// allocator and bigger stacks.
ProcessMemoryResult limit_process_memory();

}  // namespace bessd::app
