# Warnings are set per target (bessd_component / bessd_executable), never globally, so that
# third-party headers pulled in as SYSTEM are not affected.
add_library(bessd_warnings INTERFACE)
target_compile_options(bessd_warnings INTERFACE
  -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough -Werror=switch-enum
  -Wpedantic)
