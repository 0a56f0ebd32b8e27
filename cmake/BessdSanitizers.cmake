if(BESSD_SANITIZE)
  message(STATUS "bessd: sanitizers ${BESSD_SANITIZE}")
  add_compile_options(-fsanitize=${BESSD_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${BESSD_SANITIZE})
  if(BESSD_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 warns that Asio's std::atomic_thread_fence is not instrumented by TSan; the fence
    # only orders what TSan already sees through the surrounding atomics, so keep it a warning.
    add_compile_options(-Wno-error=tsan)
  endif()
endif()
# libFuzzer steers by the coverage of the code under test: the -fsanitize=fuzzer on a fuzz
# target's own file instruments that file only, so every library of a fuzzing build gets the
# coverage hooks too (the sanitizer runtime provides them when no fuzzer is linked).
if(BESSD_BUILD_FUZZERS AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
