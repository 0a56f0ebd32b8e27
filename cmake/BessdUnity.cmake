# Unity (jumbo) builds for the test presets: CI builds the tree twice (plain and ASan+UBSan) on
# two cores, and merging each target's sources into a few translation units roughly halves that.
# Release and package builds stay one file per unit, which also catches a missing #include that a
# unity batch would hide. Files whose anonymous-namespace helpers clash with a neighbour's, or
# whose types in an anonymous namespace are members of an externally visible class (GCC's
# -Wsubobject-linkage in a unity batch), are built on their own.
option(BESSD_UNITY_BUILD "Merge each target's sources into unity batches (faster CI builds)" OFF)
if(BESSD_UNITY_BUILD)
  set(CMAKE_UNITY_BUILD ON)
  set(CMAKE_UNITY_BUILD_BATCH_SIZE 8)
endif()

function(bessd_unity_exclusions)
  if(NOT BESSD_UNITY_BUILD)
    return()
  endif()
  # file | folder whose CMakeLists.txt defines the target
  set(files
      src/api/http/http_server.cpp|src/api/http
      src/inverter/profile_inverter_driver.cpp|src/inverter
      src/modbus/libmodbus_client.cpp|src/modbus
      src/modbus/testing/modbus_test_server.cpp|src/modbus
      src/storage/memory_store.cpp|src/storage
      src/storage/sqlite_store.cpp|src/storage
      tests/unit/control/safety_triggers_test.cpp|tests/unit/control
      tests/unit/inverter/driver_test.cpp|tests/unit/inverter)
  foreach(entry IN LISTS files)
    string(REPLACE "|" ";" parts ${entry})
    list(GET parts 0 f)
    list(GET parts 1 dir)
    if(dir MATCHES "^tests/" AND NOT BESSD_BUILD_TESTS)
      continue()  # that folder is not part of this build (the package build, say)
    endif()
    set_source_files_properties(${PROJECT_SOURCE_DIR}/${f} DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}
                                PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endforeach()
endfunction()
