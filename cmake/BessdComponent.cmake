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

# bessd_unit_test(<name> SOURCES ... DEPS ...): one gtest executable per component.
function(bessd_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE bessd_warnings ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE BESSD_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                             BESSD_BINARY_DIR="${PROJECT_BINARY_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "unit;${ARG_LABELS}")
endfunction()
