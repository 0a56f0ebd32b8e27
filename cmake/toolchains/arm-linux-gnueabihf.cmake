# Cross build for the arm-linux-gnueabihf Debian architecture on a Debian 12 amd64 machine: Debian's
# cross compiler (crossbuild-essential-*), its multiarch libraries and pkg-config, and
# qemu-user-static to run what is built (tests under ctest). scripts/install-deps.sh --cross
# installs them; docs/operations.md "Boards and architectures" says what runs where.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
set(PKG_CONFIG_EXECUTABLE /usr/bin/arm-linux-gnueabihf-pkg-config CACHE FILEPATH "pkg-config for arm-linux-gnueabihf")
set(CMAKE_CROSSCOMPILING_EMULATOR /usr/bin/qemu-arm-static)
