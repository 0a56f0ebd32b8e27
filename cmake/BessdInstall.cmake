# Install rules for everything that is not a compiled target: the systemd unit, sysusers.d and
# tmpfiles.d files, the example configuration (as /etc/bessd/bessd.json, a conffile in the .deb),
# profiles, schema, documentation and man pages. Included from the root CMakeLists.txt after
# add_subdirectory(src), so that if(TARGET ...) sees the programs that exist.
#
# Paths follow the Debian layout when CMAKE_INSTALL_PREFIX is /usr (the package build); with any
# other prefix everything, the unit included, lands under that prefix.

include_guard(GLOBAL)

# Destinations. With the /usr prefix (the package build) everything follows the Debian layout,
# with absolute paths: systemd's own directories from pkg-config (/lib/systemd/system,
# /usr/lib/sysusers.d, /usr/lib/tmpfiles.d) and /etc for the configuration. With any other prefix
# every destination is relative, so `cmake --install --prefix DIR` puts all of it under DIR.
set(bessd_unit_dir "lib/systemd/system")
set(bessd_sysusers_dir "lib/sysusers.d")
set(bessd_tmpfiles_dir "lib/tmpfiles.d")
set(bessd_libexec_dest "${CMAKE_INSTALL_LIBEXECDIR}/bessd")
set(bessd_data_dest "${CMAKE_INSTALL_DATADIR}/bessd")
set(bessd_conf_dest "${CMAKE_INSTALL_SYSCONFDIR}/bessd")
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(bessd_unit_dir "/lib/systemd/system")
  set(bessd_sysusers_dir "/usr/lib/sysusers.d")
  set(bessd_tmpfiles_dir "/usr/lib/tmpfiles.d")
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_get_variable(pc_unit_dir systemd systemdsystemunitdir)
    pkg_get_variable(pc_sysusers_dir systemd sysusersdir)
    pkg_get_variable(pc_tmpfiles_dir systemd tmpfilesdir)
    foreach(kind unit sysusers tmpfiles)
      if(pc_${kind}_dir)
        set(bessd_${kind}_dir "${pc_${kind}_dir}")
      endif()
    endforeach()
  endif()
  set(bessd_libexec_dest "${CMAKE_INSTALL_FULL_LIBEXECDIR}/bessd")
  set(bessd_data_dest "${CMAKE_INSTALL_FULL_DATADIR}/bessd")
  set(bessd_conf_dest "${CMAKE_INSTALL_FULL_SYSCONFDIR}/bessd")
endif()
set(BESSD_SYSTEMD_UNIT_DIR "${bessd_unit_dir}" CACHE STRING
    "Where bessd.service and bessd.socket are installed")
set(BESSD_SYSUSERS_DIR "${bessd_sysusers_dir}" CACHE STRING "Where sysusers.d/bessd.conf goes")
set(BESSD_TMPFILES_DIR "${bessd_tmpfiles_dir}" CACHE STRING "Where tmpfiles.d/bessd.conf goes")

# Paths written into the unit (as configured; an install-time --prefix does not change them).
set(bessd_libexec_dir "${CMAKE_INSTALL_FULL_LIBEXECDIR}/bessd")
set(bessd_conf_dir "${CMAKE_INSTALL_FULL_SYSCONFDIR}/bessd")
set(bessd_data_dir "${CMAKE_INSTALL_FULL_DATADIR}/bessd")

# The unit names absolute paths: rewrite the Debian ones for the prefix in use.
file(READ ${PROJECT_SOURCE_DIR}/systemd/bessd.service bessd_unit_text)
string(REPLACE "/usr/sbin/bessd" "${CMAKE_INSTALL_FULL_SBINDIR}/bessd" bessd_unit_text
               "${bessd_unit_text}")
string(REPLACE "/usr/libexec/bessd/" "${bessd_libexec_dir}/" bessd_unit_text "${bessd_unit_text}")
string(REPLACE "/etc/bessd/" "${bessd_conf_dir}/" bessd_unit_text "${bessd_unit_text}")
string(REPLACE "/usr/share/bessd/" "${bessd_data_dir}/" bessd_unit_text "${bessd_unit_text}")
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/systemd/bessd.service CONTENT "${bessd_unit_text}"
     @ONLY)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                                                             ${PROJECT_SOURCE_DIR}/systemd/bessd.service)

install(FILES ${PROJECT_BINARY_DIR}/systemd/bessd.service ${PROJECT_SOURCE_DIR}/systemd/bessd.socket
        DESTINATION ${BESSD_SYSTEMD_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/systemd/sysusers.d/bessd.conf
        DESTINATION ${BESSD_SYSUSERS_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/systemd/tmpfiles.d/bessd.conf
        DESTINATION ${BESSD_TMPFILES_DIR})
install(PROGRAMS ${PROJECT_SOURCE_DIR}/systemd/bessd-site-configured
        DESTINATION ${bessd_libexec_dest})

# Configuration: the example becomes /etc/bessd/bessd.json (a conffile: dpkg keeps local edits);
# a pristine copy stays in /usr/share/bessd so bessd-site-configured can tell them apart.
install(FILES ${PROJECT_SOURCE_DIR}/config/bessd.example.json DESTINATION ${bessd_conf_dest}
        RENAME bessd.json)
install(FILES ${PROJECT_SOURCE_DIR}/config/bessd.example.json DESTINATION ${bessd_data_dest})
# The dashboard's page (docs/dashboard.md); its plotting library comes from libjs-dygraphs.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/www/ DESTINATION ${bessd_data_dest}/www)
if(EXISTS ${PROJECT_SOURCE_DIR}/config/schema)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/schema/ DESTINATION ${bessd_data_dest}/schema)
endif()
if(EXISTS ${PROJECT_SOURCE_DIR}/config/profiles)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/profiles/ DESTINATION ${bessd_data_dest}/profiles)
endif()

# Programs other components provide, shipped when they exist.
foreach(prog bessctl bess-sim)
  if(TARGET ${prog})
    install(TARGETS ${prog} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

# Man pages: bessctl(1) and bess-sim(1) only together with their programs.
install(FILES ${PROJECT_SOURCE_DIR}/docs/man/man8/bessd.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${PROJECT_SOURCE_DIR}/docs/man/man5/bessd.json.5
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
if(TARGET bess-sim)
  install(FILES ${PROJECT_SOURCE_DIR}/docs/man/man1/bess-sim.1
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
if(TARGET bessctl)
  install(FILES ${PROJECT_SOURCE_DIR}/docs/man/man1/bessctl.1
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# Documentation and examples.
file(GLOB bessd_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${bessd_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR})
foreach(doc_dir adr images)
  if(EXISTS ${PROJECT_SOURCE_DIR}/docs/${doc_dir})
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/${doc_dir} DESTINATION ${CMAKE_INSTALL_DOCDIR})
  endif()
endforeach()
if(EXISTS ${PROJECT_SOURCE_DIR}/config/examples)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/examples/
          DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/sites)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/systemd/examples/manage-link.conf
              ${PROJECT_SOURCE_DIR}/systemd/examples/socket-tcp.conf
              ${PROJECT_SOURCE_DIR}/config/bessd.example.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
