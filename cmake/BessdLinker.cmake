# lld links the test programs several times faster than GNU ld (bessd's own link in the dev
# build: about 6 s with ld, 1 s with lld), and CI links every program three times. Used when the
# compiler accepts it; BESSD_USE_LLD=OFF keeps the toolchain's default linker (the .deb does, so
# that the package never depends on what else the building machine has installed).
option(BESSD_USE_LLD "Link with lld when the compiler can use it" ON)
if(BESSD_USE_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-fuse-ld=lld" BESSD_HAVE_LLD)
  if(BESSD_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  else()
    message(STATUS "bessd: lld not found, linking with the default linker")
  endif()
endif()
