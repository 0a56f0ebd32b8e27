# Warnings are set per target (bessd_component / bessd_executable), never globally, so that
# third-party headers pulled in as SYSTEM are not affected.
# BESSD_WERROR (ON: the presets and CI) makes every warning an error. The Debian package build
# turns it off (packaging/debian/rules): a newer compiler on a user's machine must not fail the
# package build over a warning it has just learned; CI has already held the code to -Werror.
option(BESSD_WERROR "Treat compiler warnings as errors (OFF in the Debian package build)" ON)
add_library(bessd_warnings INTERFACE)
target_compile_options(bessd_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough -Wpedantic)
if(BESSD_WERROR)
  target_compile_options(bessd_warnings INTERFACE -Werror -Werror=switch-enum)
else()
  target_compile_options(bessd_warnings INTERFACE -Wswitch-enum)
endif()
# GCC on ARM notes every function whose parameter passing changed in GCC 7.1 or 10.1 (-Wpsabi):
# it matters only when linking with code built by those older compilers, which a Debian 12
# package never does, and it buries real diagnostics under hundreds of lines.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(arm|aarch64)")
  target_compile_options(bessd_warnings INTERFACE -Wno-psabi)
endif()
