# HUDDLE_SANITIZE picks the instrumented build (one value per preset):
#   OFF      a plain build;
#   ON       AddressSanitizer and UndefinedBehaviorSanitizer (the `asan` preset; `address` too);
#   thread   ThreadSanitizer (the `tsan` preset);
#   fuzzer   libFuzzer coverage with ASan and UBSan on every library, plus the tests/fuzz targets
#            (the `fuzz` preset; clang only, GCC has no libFuzzer).
set(HUDDLE_SANITIZE OFF CACHE STRING "OFF, ON (address+undefined), thread or fuzzer")
set_property(CACHE HUDDLE_SANITIZE PROPERTY STRINGS OFF ON address thread fuzzer)

set(HUDDLE_FUZZ OFF)
if(HUDDLE_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(HUDDLE_SANITIZE STREQUAL "fuzzer")
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HUDDLE_SANITIZE=fuzzer needs clang (the `fuzz` preset sets clang++-16)")
  endif()
  set(HUDDLE_FUZZ ON)
  # Libraries get coverage without libFuzzer's main(); the targets in tests/fuzz link it.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  # libstdc++ 12 declares std::expected (core::Result) only when __cpp_concepts >= 202002L. Clang
  # implements what <expected> needs (P0848, conditionally trivial special members) since 16 but
  # announces 201907L until 19, so the macro is raised here. Clang 14 lacks P0848 and cannot
  # compile core::Result at all.
  if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
    message(FATAL_ERROR "the fuzz build needs clang 16 or later for std::expected (core::Result)")
  elseif(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 19)
    add_compile_options(-D__cpp_concepts=202002L -Wno-macro-redefined)
  endif()
  # Boost 1.74's Asio enables co_await under clang only with the old coroutines TS header
  # (<experimental/coroutine>, libc++); clang 16 with libstdc++ has C++20 coroutines.
  add_compile_definitions(BOOST_ASIO_HAS_CO_AWAIT=1)
elseif(HUDDLE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
