# bessd_component(<name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Defines library bessd_<name> with alias bessd::<name>; public headers live in
# include/bessd/<name>/.
function(bessd_component name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(bessd_${name} STATIC ${ARG_SOURCES})
  add_library(bessd::${name} ALIAS bessd_${name})
  target_include_directories(bessd_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(bessd_${name} PUBLIC ${ARG_DEPS} PRIVATE bessd_warnings ${ARG_PRIVATE_DEPS})
  set_target_properties(bessd_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# bessd_executable(<name> SOURCES ... DEPS ...)
function(bessd_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE bessd_warnings ${ARG_DEPS})
endfunction()

# Test programs are named by their kind first, so that a name says how a test runs and what it
# needs: unit_<component>, integration_<what> (in-process, fake clock), system_<behaviour> (the
# real binaries, tests/system/), fuzz_<input> (libFuzzer). CONTRIBUTING.md "Test names".
function(bessd_check_test_name name kind)
  if(NOT name MATCHES "^${kind}_[a-z0-9_]+$")
    message(FATAL_ERROR "test program '${name}' must be named ${kind}_<what> (CONTRIBUTING.md, Test names)")
  endif()
endfunction()

# gtest_discover_tests() flattens a list value in PROPERTIES (CMake 3.25): LABELS "unit;integration"
# became the label "unit" and a property named "integration". The labels are set instead by a file
# that ctest includes after the discovered tests, on every test the program listed.
function(bessd_label_discovered_tests name)
  set(file ${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake)
  file(WRITE ${file} "if(DEFINED ${name}_TESTS)\n"
                     "  set_tests_properties(\${${name}_TESTS} PROPERTIES LABELS \"${ARGN}\")\n"
                     "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${file})
endfunction()

# bessd_unit_test(<name> [PURE] SOURCES ... DEPS ... [LABELS integration|unsanitized]): one gtest
# executable, named unit_<component> or, with the label integration, integration_<what>. Each is
# part of the target quick_tests, which the developers' lane builds (scripts/test.sh --quick).
# PURE: the program tests pure components only (docs/architecture.md, rule 1) and makes no thread
# of its own. With BESSD_PURE_UNIT_TESTS=OFF (the tsan preset) it is not built: ThreadSanitizer
# finds nothing where one thread runs, and the pure code runs under it anyway, on the daemon's
# control thread, in the integration and system tests.
option(BESSD_PURE_UNIT_TESTS "Build the unit tests of the pure components" ON)
function(bessd_unit_test name)
  cmake_parse_arguments(ARG "PURE" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(ARG_PURE AND NOT BESSD_PURE_UNIT_TESTS)
    return()
  endif()
  # A cross build (BESSD_FOREIGN_TESTS) has only the pure components' programs.
  if(BESSD_FOREIGN_TESTS AND NOT ARG_PURE)
    return()
  endif()
  if("integration" IN_LIST ARG_LABELS)
    bessd_check_test_name(${name} integration)
  else()
    bessd_check_test_name(${name} unit)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE bessd_warnings ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)  # <support/...>
  target_compile_definitions(${name} PRIVATE BESSD_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                             BESSD_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(BESSD_FOREIGN_TESTS)
    bessd_register_foreign_unit_test(${name})
    return()
  endif()
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
  bessd_label_discovered_tests(${name} unit ${ARG_LABELS})
  set_property(GLOBAL APPEND PROPERTY BESSD_QUICK_TEST_TARGETS ${name})
  if("unsanitized" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY BESSD_UNSANITIZED_LANE_TARGETS ${name})
  endif()
endfunction()

# A cross build's unit test program (BESSD_FOREIGN_TESTS), run whole as one ctest test under the
# emulator CMake puts before a cross-compiled program (CMAKE_CROSSCOMPILING_EMULATOR). Not one
# test per case: every case would start qemu-user again.
function(bessd_register_foreign_unit_test name)
  # The components under test keep the preset's optimisation (-O2, as the package); the test
  # code itself needs none, and unoptimised it compiles in half the time.
  target_compile_options(${name} PRIVATE -O0)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "unit;foreign" TIMEOUT 600)
  set_property(GLOBAL APPEND PROPERTY BESSD_FOREIGN_TEST_TARGETS ${name})
endfunction()

# bessd_system_test(<name> SOURCE <file>... [DEPS ...] [NEEDS <targets>...] [TIMEOUT s] [COST n]
#                   [SERIAL] [LABELS ...]):
# a gtest program, system_<behaviour> (or system_site: many behaviours), that runs the built
# binaries (NEEDS: bessd, bess-sim, ...).
# Without TIMEOUT its cases get the test preset's. COST: ctest starts costlier cases first when it
# has no timings of its own yet (a fresh tree, as in CI), so a long one does not end the run alone.
function(bessd_system_test name)
  cmake_parse_arguments(ARG "SERIAL" "TIMEOUT;COST" "SOURCE;DEPS;NEEDS;LABELS" ${ARGN})
  bessd_check_test_name(${name} system)
  add_executable(${name} ${ARG_SOURCE})
  target_link_libraries(${name} PRIVATE bessd_warnings ${ARG_DEPS} GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE BESSD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(ARG_NEEDS)
    add_dependencies(${name} ${ARG_NEEDS})
  endif()
  set(properties "")
  if(ARG_TIMEOUT)
    list(APPEND properties TIMEOUT ${ARG_TIMEOUT})
  endif()
  if(ARG_COST)
    list(APPEND properties COST ${ARG_COST})
  endif()
  if(ARG_SERIAL)
    list(APPEND properties RUN_SERIAL TRUE)
  endif()
  include(GoogleTest)
  gtest_discover_tests(${name} PROPERTIES ${properties})
  bessd_label_discovered_tests(${name} system ${ARG_LABELS})
  if("unsanitized" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY BESSD_UNSANITIZED_LANE_TARGETS ${name} ${ARG_NEEDS})
  endif()
endfunction()
