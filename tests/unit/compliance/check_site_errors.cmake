# `bessd check-site` on bad input (cmake -P): an invalid config exits 78 and names the problem
# by JSON pointer; a missing file exits 78; a malformed --date exits 2.
foreach(var BESSD WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_site_errors.cmake: -D${var}= is required")
  endif()
endforeach()

set(bad ${WORK_DIR}/check_site_invalid.json)
file(WRITE ${bad} [=[{
  "site": { "jurisdiction": "GB", "location": "attic", "clearance_m": {} },
  "battery": { "chemistry": "LFP", "nominal_energy_kwh": -1 }
}]=])
execute_process(COMMAND ${BESSD_EMULATOR} ${BESSD} check-site --config ${bad}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 78)
  message(FATAL_ERROR "invalid config exited ${status}, expected 78:\n${out}${err}")
endif()
foreach(pointer /site/location /site/clearance_m /battery/nominal_energy_kwh)
  string(FIND "${err}" "${pointer}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "config problems do not mention ${pointer}:\n${err}")
  endif()
endforeach()

execute_process(COMMAND ${BESSD_EMULATOR} ${BESSD} check-site --config ${WORK_DIR}/does-not-exist.json
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 78)
  message(FATAL_ERROR "missing config exited ${status}, expected 78:\n${out}${err}")
endif()

execute_process(COMMAND ${BESSD_EMULATOR} ${BESSD} check-site --config ${bad} --date 2026-02-30
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 2)
  message(FATAL_ERROR "bad --date exited ${status}, expected 2:\n${out}${err}")
endif()
