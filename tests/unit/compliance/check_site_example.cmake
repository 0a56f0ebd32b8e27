# Runs `bessd check-site` on one example (cmake -P). Checks: the file passes --check-config; the
# JSON report has the expected overall verdict and one finding per rule; the exit status is as
# expected, with and without --json; the table names the verdict.
foreach(var BESSD CONFIG DATE EXPECT_VERDICT EXPECT_STATUS PROFILES WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_site_example.cmake: -D${var}= is required")
  endif()
endforeach()

# --check-config also loads the inverter profile: look it up in the source tree's profiles
# rather than the installed directory (nothing else changes).
file(READ ${CONFIG} text)
string(REGEX REPLACE "\"profile\" *: *\"([a-z_]+)\"" "\"profile\": \"\\1\", \"profile_dir\": \"${PROFILES}\""
       text "${text}")
get_filename_component(name ${CONFIG} NAME)
set(checked ${WORK_DIR}/${name})
file(MAKE_DIRECTORY ${WORK_DIR})
file(WRITE ${checked} "${text}")
execute_process(COMMAND ${BESSD_EMULATOR} ${BESSD} --check-config ${checked}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "--check-config ${CONFIG} exited ${status}:\n${out}${err}")
endif()
string(FIND "${out}" "warning" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "--check-config ${CONFIG} warns about a shipped example:\n${out}")
endif()

execute_process(COMMAND ${BESSD_EMULATOR} ${BESSD} check-site --config ${CONFIG} --json --date ${DATE}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL EXPECT_STATUS)
  message(FATAL_ERROR "check-site --json exited ${status}, expected ${EXPECT_STATUS}:\n${out}${err}")
endif()
string(JSON verdict ERROR_VARIABLE json_error GET "${out}" verdict)
if(json_error)
  message(FATAL_ERROR "check-site --json printed no JSON verdict (${json_error}):\n${out}")
endif()
if(NOT verdict STREQUAL EXPECT_VERDICT)
  message(FATAL_ERROR "verdict ${verdict}, expected ${EXPECT_VERDICT}:\n${out}")
endif()
string(JSON count LENGTH "${out}" findings)
if(NOT count EQUAL 16)
  message(FATAL_ERROR "expected 16 findings, got ${count}")
endif()
string(JSON first GET "${out}" findings 0 rule)
if(NOT first STREQUAL "PAS-LOC-01")
  message(FATAL_ERROR "first finding ${first}, expected PAS-LOC-01")
endif()

execute_process(COMMAND ${BESSD_EMULATOR} ${BESSD} check-site --config ${CONFIG} --date ${DATE}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL EXPECT_STATUS)
  message(FATAL_ERROR "check-site (table) exited ${status}, expected ${EXPECT_STATUS}:\n${out}${err}")
endif()
string(TOUPPER "${EXPECT_VERDICT}" upper)
string(FIND "${out}" "Overall verdict: ${upper}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "table does not say 'Overall verdict: ${upper}':\n${out}")
endif()
message(STATUS "${CONFIG} as of ${DATE}: ${verdict}, exit ${EXPECT_STATUS}")
