# The real binary (cmake -P): `--check-config` means "the daemon starts with this" and the
# jurisdiction is fail-safe. Each case writes a config, runs bessd and checks exit status and text.
foreach(var BESSD WORK_DIR PROFILES WWW)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_config_cli.cmake: -D${var}= is required")
  endif()
endforeach()
file(MAKE_DIRECTORY ${WORK_DIR})

# site_json battery_json extra_json -> writes ${WORK_DIR}/${name}.json
function(write_config name site battery extra)
  set(text "{ \"site\": { ${site} }, \"battery\": { \"chemistry\": \"LFP\", ${battery} },
  \"inverter\": { \"profile\": \"sunspec\", \"profile_dir\": \"${PROFILES}\" ${extra} } }")
  file(WRITE ${WORK_DIR}/${name}.json "${text}")
endfunction()

function(expect name args status)
  execute_process(COMMAND ${BESSD_EMULATOR} ${BESSD} ${args}
    RESULT_VARIABLE got OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT got EQUAL status)
    message(FATAL_ERROR "${name}: bessd ${args} exited ${got}, expected ${status}:\n${out}${err}")
  endif()
  foreach(fragment IN LISTS ARGN)
    string(FIND "${out}${err}" "${fragment}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${name}: output lacks '${fragment}':\n${out}${err}")
    endif()
  endforeach()
  set(last_output "${out}${err}" PARENT_SCOPE)
endfunction()

set(ok_site "\"jurisdiction\": \"GB\", \"location\": \"outdoor_wall\"")
set(ok_battery "\"nominal_energy_kwh\": 9.6")

# A valid file: exit 0, no warnings.
write_config(valid "${ok_site}" "${ok_battery}" "")
expect(valid "--check-config;${WORK_DIR}/valid.json" 0 "configuration is valid")
string(FIND "${last_output}" "warning" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "valid: unexpected warning:\n${last_output}")
endif()

# "UK" is GB: PAS 63100 applies (a bedroom blocks), and bessd says how it read the code.
write_config(uk_bedroom "\"jurisdiction\": \"UK\", \"location\": \"bedroom\"" "${ok_battery}" "")
expect(uk_check "--check-config;${WORK_DIR}/uk_bedroom.json" 0 "\"UK\" is read as \"GB\"")
expect(uk_site "check-site;--config;${WORK_DIR}/uk_bedroom.json;--json" 3
       "\"verdict\": \"block\"" "\"pas_63100\": true" "\"UK\\\" is read as \\\"GB\\\"")
expect(uk_table "check-site;--config;${WORK_DIR}/uk_bedroom.json" 3
       "Overall verdict: BLOCK" "PAS-LOC-01   block")

# Unknown codes are refused with a suggestion and the list; a missing one is an error.
write_config(unknown "\"jurisdiction\": \"England\", \"location\": \"bedroom\"" "${ok_battery}" "")
expect(unknown "--check-config;${WORK_DIR}/unknown.json" 78
       "/site/jurisdiction" "did you mean \"GB\"" "Known codes: AD AE")
expect(unknown_site "check-site;--config;${WORK_DIR}/unknown.json" 78 "/site/jurisdiction")
write_config(missing "\"location\": \"bedroom\"" "${ok_battery}" "")
expect(missing "--check-config;${WORK_DIR}/missing.json" 78
       "/site/jurisdiction: is required but missing")

# Outside GB the top of the report says PAS 63100 does not apply; product rules still run.
write_config(de "\"jurisdiction\": \"DE\", \"location\": \"bedroom\""
             "${ok_battery}, \"cell_voltage_max_v\": 4.1" "")
expect(de "check-site;--config;${WORK_DIR}/de.json" 3 "Scope: PAS 63100" "does not apply"
       "BAT-CHEM-01  block")
string(FIND "${last_output}" "Scope: PAS 63100" scope_at)
string(FIND "${last_output}" "Overall verdict" verdict_at)
if(NOT scope_at LESS verdict_at)
  message(FATAL_ERROR "de: the scope is not above the verdict:\n${last_output}")
endif()

# A profile that does not exist: the daemon would not start, so neither does the check pass.
file(READ ${WORK_DIR}/valid.json text)
string(REPLACE "\"sunspec\"" "\"sunspc\"" text "${text}")
file(WRITE ${WORK_DIR}/bad_profile.json "${text}")
expect(bad_profile "--check-config;${WORK_DIR}/bad_profile.json" 78
       "/inverter/profile" "\"sunspc\" does not exist" "sunspec" "victron_ess")

# Link names and addresses.
write_config(bad_host "${ok_site}" "${ok_battery}"
             ", \"tcp\": { \"host\": \"192.168.1.300\" }")
expect(bad_host "--check-config;${WORK_DIR}/bad_host.json" 78 "/inverter/tcp/host"
       "not a valid IPv4 address")

# Unit mistakes: warnings with the fix, exit 0.
write_config(units "${ok_site}, \"clearances_m\": { \"door\": 120 }"
             "\"nominal_energy_kwh\": 9600" ", \"rated_power_w\": 5")
expect(units "--check-config;${WORK_DIR}/units.json" 0
       "warning: /battery/nominal_energy_kwh" "write 9.6"
       "warning: /inverter/rated_power_w" "write 5000"
       "warning: /site/clearances_m/door" "write 1.2" "3 warnings")
# The commissioning record: one HTML page with the installer, every finding, text escaped.
write_config(record "\"name\": \"<script>alert(1)</script> & Co\", \"jurisdiction\": \"GB\",
  \"location\": \"bedroom\",
  \"installer\": { \"name\": \"Sparks & Sons\", \"registration\": \"MCS-123\" }"
  "${ok_battery}" "")
expect(record "check-site;--config;${WORK_DIR}/record.json;--format;html;--date;2026-11-24" 3
       "<!DOCTYPE html>" "Sparks &amp; Sons" "MCS-123" "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"
       "PAS 63100:2024, 6.5.5" "2026-11-24" "SL-DER-01" "Configuration checksum")
string(FIND "${last_output}" "<script>" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "record: unescaped markup from the configuration:\n${last_output}")
endif()
expect(bad_format "check-site;--config;${WORK_DIR}/record.json;--format;pdf" 2)
message(STATUS "check-config and jurisdiction cases passed")

# The API's token file and listen address (docs/api.md "Token file"): every problem with the
# file and line, refused with the fix.
function(write_api_config name api)
  file(WRITE ${WORK_DIR}/${name}.json "{ \"site\": { ${ok_site} },
  \"battery\": { \"chemistry\": \"LFP\", ${ok_battery} },
  \"inverter\": { \"profile\": \"sunspec\", \"profile_dir\": \"${PROFILES}\" },
  \"api\": { ${api} } }")
endfunction()
set(tokens ${WORK_DIR}/tokens)
file(WRITE ${tokens} "# name scope secret\ngrafana read 0123456789abcdef0123456789abcdef\nops control weak\n")
file(CHMOD ${tokens} PERMISSIONS OWNER_READ OWNER_WRITE)
write_api_config(api_tokens "\"tcp\": { \"enabled\": true, \"token_file\": \"${tokens}\" }")
expect(api_weak_token "--check-config;${WORK_DIR}/api_tokens.json" 78
       "/api/tcp/token_file" "${tokens}:3: token \"ops\": the secret is weaker than 128 bits")
file(WRITE ${tokens} "grafana read 0123456789abcdef0123456789abcdef\n")
file(CHMOD ${tokens} PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ GROUP_WRITE)
expect(api_writable_tokens "--check-config;${WORK_DIR}/api_tokens.json" 78 "chmod 0640 ${tokens}")
file(CHMOD ${tokens} PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
expect(api_good_tokens "--check-config;${WORK_DIR}/api_tokens.json" 0 "configuration is valid")
write_api_config(api_remote
  "\"tcp\": { \"enabled\": true, \"address\": \"0.0.0.0\", \"token_file\": \"${tokens}\" }")
expect(api_remote "--check-config;${WORK_DIR}/api_remote.json" 78 "/api/tcp/address"
       "api.tcp.allow_remote")
write_api_config(api_remote_allowed "\"tcp\": { \"enabled\": true, \"address\": \"0.0.0.0\",
  \"allow_remote\": true, \"token_file\": \"${tokens}\" }")
expect(api_remote_allowed "--check-config;${WORK_DIR}/api_remote_allowed.json" 0
       "configuration is valid")
# The dashboard's files (docs/dashboard.md): the folder at fault is named by its key, whichever
# of the two it is.
write_api_config(api_dashboard_www "\"tcp\": { \"enabled\": true, \"token_file\": \"${tokens}\" },
  \"dashboard\": { \"enabled\": true, \"www_dir\": \"${WORK_DIR}/no-www\" }")
expect(api_dashboard_www "--check-config;${WORK_DIR}/api_dashboard_www.json" 78
       "/api/dashboard/www_dir" "${WORK_DIR}/no-www/index.html")
write_api_config(api_dashboard_dygraphs
  "\"tcp\": { \"enabled\": true, \"token_file\": \"${tokens}\" },
  \"dashboard\": { \"enabled\": true, \"www_dir\": \"${WWW}\",
                   \"dygraphs_dir\": \"${WORK_DIR}/no-dygraphs\" }")
expect(api_dashboard_dygraphs "--check-config;${WORK_DIR}/api_dashboard_dygraphs.json" 78
       "/api/dashboard/dygraphs_dir" "libjs-dygraphs")
message(STATUS "api cases passed")
