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
