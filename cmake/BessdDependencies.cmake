# Every dependency comes from a Debian 12 package (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)          # Asio and Beast are header-only
find_package(nlohmann_json 3.11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
# Time zones for schedules (docs/schedules.md): GCC 12 has no std::chrono time-zone database.
find_package(date REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)              # gzip of the dashboard's files
find_package(PkgConfig REQUIRED)
pkg_check_modules(MODBUS REQUIRED IMPORTED_TARGET libmodbus)
pkg_check_modules(SOCKETCAN REQUIRED IMPORTED_TARGET libsocketcan)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(MOSQUITTO REQUIRED IMPORTED_TARGET libmosquitto)
if(BESSD_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(BESSD_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
