# huddle_library(<path> [FLAT] [DEPS targets...]) builds src/<path>/**/*.cc (only src/<path>/*.cc
# with FLAT) into
# the static library huddle_<path with / as _>. Sources are globbed so that adding a file needs no CMake edit.
function(huddle_library name)
  cmake_parse_arguments(ARG "FLAT" "" "DEPS" ${ARGN})
  set(glob GLOB_RECURSE)
  if(ARG_FLAT)
    set(glob GLOB)
  endif()
  file(${glob} sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cc)
  string(REPLACE "/" "_" name ${name})
  if(sources)
    add_library(huddle_${name} STATIC ${sources})
    set(scope PUBLIC)
  else()
    add_library(huddle_${name} INTERFACE)  # headers only, so far
    set(scope INTERFACE)
  endif()
  target_include_directories(huddle_${name} ${scope} ${PROJECT_SOURCE_DIR}/src
                                                     ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(huddle_${name} ${scope} ${ARG_DEPS})
endfunction()

# huddle_test_dir(<dir> LIBS targets... [LABELS labels...]) builds every *_test.cc directly in
# tests/<dir> into one GoogleTest executable and registers its tests with CTest, with the given
# CTest labels (`tsan`: run by the tsan test preset).
function(huddle_test_dir dir)
  cmake_parse_arguments(ARG "" "" "LIBS;LABELS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${dir}/*_test.cc)
  if(NOT sources)
    return()
  endif()
  string(REPLACE "/" "_" target ${dir})
  set(target ${target}_test)
  # Every test binary counts heap allocations (tests/support/alloc_counter.h), so any test can
  # assert that a path allocates nothing.
  add_executable(${target} ${sources} ${PROJECT_SOURCE_DIR}/tests/support/alloc_counter.cc)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests
                                               ${PROJECT_SOURCE_DIR}/tests/support)
  target_link_libraries(${target} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main
                                          Threads::Threads)
  # Suites named *LoadTest generate load (many requests, latency-sensitive servers): they run
  # alone (RUN_SERIAL), so that a loaded 2-core machine cannot starve them or be starved by them.
  set(properties TIMEOUT 300)
  set(load_properties TIMEOUT 600 RUN_SERIAL TRUE)
  if(ARG_LABELS)
    list(APPEND properties LABELS "${ARG_LABELS}")
    list(APPEND load_properties LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 TEST_FILTER "-*LoadTest*"
                       PROPERTIES ${properties})
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 TEST_FILTER "*LoadTest*"
                       PROPERTIES ${load_properties})
endfunction()
