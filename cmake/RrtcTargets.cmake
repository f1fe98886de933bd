# Helpers shared by every folder's CMakeLists.txt.

set(RRTC_WARNINGS -Wall -Wextra -Wpedantic)

# rrtc_library(<layer> SOURCES ... [DEPS ...])
# A static library rrtc_<layer> (alias rrtc::<layer>). Headers are included as "<layer>/file.hpp"
# from src/, so a layer that does not link another cannot include it either.
function(rrtc_library layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(rrtc_${layer} STATIC ${ARG_SOURCES})
  add_library(rrtc::${layer} ALIAS rrtc_${layer})
  target_include_directories(rrtc_${layer} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  target_compile_options(rrtc_${layer} PRIVATE ${RRTC_WARNINGS})
  target_link_libraries(rrtc_${layer} PUBLIC ${ARG_DEPS})
endfunction()

# rrtc_interface_library(<layer> [DEPS ...])
# A header-only layer rrtc_<layer> (alias rrtc::<layer>).
function(rrtc_interface_library layer)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  add_library(rrtc_${layer} INTERFACE)
  add_library(rrtc::${layer} ALIAS rrtc_${layer})
  target_include_directories(rrtc_${layer} INTERFACE "${PROJECT_SOURCE_DIR}/src")
  target_link_libraries(rrtc_${layer} INTERFACE ${ARG_DEPS})
endfunction()

# rrtc_test(<name> SOURCES ... [DEPS ...] [LABELS ...])
# A GoogleTest executable; its tests are discovered when CTest runs (not at build time).
function(rrtc_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${RRTC_WARNINGS})
  target_include_directories(${name} PRIVATE "${PROJECT_SOURCE_DIR}/tests")
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    RRTC_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    RRTC_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 300)
endfunction()

# rrtc_fuzzer(<name> SOURCES ... [DEPS ...])
# A libFuzzer target fuzz_<name>, with a CTest smoke run over fuzz/corpus/<name>.
function(rrtc_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(fuzz_${name} ${ARG_SOURCES})
  target_compile_options(fuzz_${name} PRIVATE ${RRTC_WARNINGS} -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_${name} PRIVATE ${ARG_DEPS})
  set(corpus "${PROJECT_SOURCE_DIR}/fuzz/corpus/${name}")
  set(dict "${PROJECT_SOURCE_DIR}/fuzz/dict/${name}.dict")
  set(extra "")
  if(EXISTS "${dict}")
    set(extra "-dict=${dict}")
  endif()
  file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/work_${name}")
  add_test(NAME fuzz_smoke_${name}
    COMMAND fuzz_${name} -max_total_time=${RRTC_FUZZ_SMOKE_SECONDS} -rss_limit_mb=4096
            ${extra} "${CMAKE_CURRENT_BINARY_DIR}/work_${name}" "${corpus}")
  set_tests_properties(fuzz_smoke_${name} PROPERTIES LABELS fuzz TIMEOUT 300)
endfunction()
set(RRTC_FUZZ_SMOKE_SECONDS 20 CACHE STRING "Seconds each fuzz target runs in the CTest smoke run")
