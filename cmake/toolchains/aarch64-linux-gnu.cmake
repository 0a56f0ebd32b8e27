# Cross build for the aarch64-linux-gnu Debian architecture on a Debian 12 amd64 machine: Debian's
# cross compiler (crossbuild-essential-*), its multiarch libraries and pkg-config, and
# qemu-user-static to run what is built (tests under ctest). scripts/install-deps.sh --cross
# installs them; docs/operations.md "Boards and architectures" says what runs where.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(PKG_CONFIG_EXECUTABLE /usr/bin/aarch64-linux-gnu-pkg-config CACHE FILEPATH "pkg-config for aarch64-linux-gnu")
set(CMAKE_CROSSCOMPILING_EMULATOR /usr/bin/qemu-aarch64-static)
