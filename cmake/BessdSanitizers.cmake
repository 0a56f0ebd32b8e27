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
