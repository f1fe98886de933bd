# Helpers shared by every folder's CMakeLists.txt.

set(RRTC_WARNINGS -Wall -Wextra -Wpedantic)

# ---- Layering ---------------------------------------------------------------------------------
# cmake/layers.cmake is the one table of which layers each library may use. Every library gets
# its own include root, ${PROJECT_BINARY_DIR}/layer_include/<folder>, holding a single symlink
# <folder> -> src/<folder>, so "<folder>/file.hpp" resolves and nothing else of src/ does. A
# library then sees its own headers, those of the layers it links, and (through CMake's PUBLIC
# propagation) those its dependencies' headers include: an include of any other layer fails to
# compile. rrtc_library() refuses, at configure time, a DEPS entry the table does not allow.

# rrtc_layer(<library> [FOLDER <dir>] [PUBLIC <library>...] [PRIVATE <library>...])
# One entry of the table (cmake/layers.cmake, which documents the form). A library may only use
# libraries entered before it, which keeps the graph acyclic.
function(rrtc_layer name)
  cmake_parse_arguments(ARG "" "FOLDER" "PUBLIC;PRIVATE" ${ARGN})
  set(where "cmake/layers.cmake: rrtc_layer(${name})")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${where}: unexpected words '${ARG_UNPARSED_ARGUMENTS}'; the form is "
                        "rrtc_layer(<library> [FOLDER <dir>] [PUBLIC ...] [PRIVATE ...])")
  endif()
  get_property(known GLOBAL PROPERTY RRTC_TABLE_LIBRARIES)
  if(name IN_LIST known)
    message(FATAL_ERROR "${where}: '${name}' is listed twice")
  endif()
  foreach(dep IN LISTS ARG_PUBLIC ARG_PRIVATE)
    if(dep STREQUAL name)
      message(FATAL_ERROR "${where}: a library does not list itself")
    endif()
    if(NOT dep IN_LIST known)
      message(FATAL_ERROR "${where}: '${dep}' is not listed above '${name}' (a layer may only "
                          "use layers below it, and every layer needs its own entry)")
    endif()
    if(dep IN_LIST ARG_PUBLIC AND dep IN_LIST ARG_PRIVATE)
      message(FATAL_ERROR "${where}: '${dep}' is both PUBLIC and PRIVATE")
    endif()
  endforeach()
  if(NOT ARG_FOLDER)
    set(ARG_FOLDER "${name}")
  endif()
  set_property(GLOBAL APPEND PROPERTY RRTC_TABLE_LIBRARIES "${name}")
  set_property(GLOBAL PROPERTY RRTC_TABLE_${name}_FOLDER "${ARG_FOLDER}")
  set_property(GLOBAL PROPERTY RRTC_TABLE_${name}_PUBLIC "${ARG_PUBLIC}")
  set_property(GLOBAL PROPERTY RRTC_TABLE_${name}_PRIVATE "${ARG_PRIVATE}")
endfunction()

include("${CMAKE_CURRENT_LIST_DIR}/layers.cmake")
set(RRTC_LAYER_TABLE "${CMAKE_CURRENT_LIST_DIR}/layers.cmake")

# rrtc_layer_include_dir(<library> <out-var>)
# The include root of <library>: ${PROJECT_BINARY_DIR}/layer_include/<folder>, where <folder> is
# a symlink to src/<folder> (made here at configure time). Also for targets outside src/ that
# compile a layer's sources themselves (fuzz/app).
function(rrtc_layer_include_dir name out)
  get_property(folder GLOBAL PROPERTY RRTC_TABLE_${name}_FOLDER)
  if(NOT folder)
    message(FATAL_ERROR "rrtc_layer_include_dir(${name}): '${name}' has no entry in "
                        "cmake/layers.cmake")
  endif()
  set(root "${PROJECT_BINARY_DIR}/layer_include/${folder}")
  file(MAKE_DIRECTORY "${root}")
  file(CREATE_LINK "${PROJECT_SOURCE_DIR}/src/${folder}" "${root}/${folder}" SYMBOLIC
       RESULT failed)
  if(failed)
    message(FATAL_ERROR "cannot link ${root}/${folder} to src/${folder}: ${failed}")
  endif()
  set(${out} "${root}" PARENT_SCOPE)
endfunction()

# Checks that <library> has a table entry and is defined in its table folder; sorts DEPS into
# the layers its headers pass on (<pub>), those only its sources use (<priv>) and third-party
# targets (<other>, passed on like before). An rrtc:: dependency the table does not allow stops
# the configure step.
function(_rrtc_layer_deps name deps pub priv other)
  get_property(known GLOBAL PROPERTY RRTC_TABLE_LIBRARIES)
  if(NOT name IN_LIST known)
    message(FATAL_ERROR "rrtc_library(${name}): '${name}' has no entry in cmake/layers.cmake; "
                        "add one that lists the layers it may use")
  endif()
  get_property(folder GLOBAL PROPERTY RRTC_TABLE_${name}_FOLDER)
  get_filename_component(here "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  if(NOT here STREQUAL folder)
    message(FATAL_ERROR "rrtc_library(${name}) is defined in src/${here}, but cmake/layers.cmake "
                        "puts it in src/${folder}")
  endif()
  get_property(allowed_public GLOBAL PROPERTY RRTC_TABLE_${name}_PUBLIC)
  get_property(allowed_private GLOBAL PROPERTY RRTC_TABLE_${name}_PRIVATE)
  set(p "")
  set(q "")
  set(o "")
  foreach(dep IN LISTS deps)
    set(layer "")
    if(dep MATCHES "^rrtc::(.+)$")
      set(layer "${CMAKE_MATCH_1}")
      if(NOT layer IN_LIST known)
        message(FATAL_ERROR "rrtc_library(${name}): DEPS names ${dep}, which is no layer of "
                            "cmake/layers.cmake")
      endif()
    elseif(dep MATCHES "^rrtc_(.+)$")
      set(candidate "${CMAKE_MATCH_1}")
      if(candidate IN_LIST known)
        set(layer "${candidate}")
      endif()
    endif()
    if(layer STREQUAL "")
      list(APPEND o "${dep}")
    elseif(layer IN_LIST allowed_public)
      list(APPEND p "rrtc_${layer}")
    elseif(layer IN_LIST allowed_private)
      list(APPEND q "rrtc_${layer}")
    else()
      set(all ${allowed_public} ${allowed_private})
      if(NOT all)
        set(all "(no layer of ours)")
      endif()
      list(JOIN all " " all)
      message(FATAL_ERROR "rrtc_library(${name}): DEPS names ${dep}, but cmake/layers.cmake "
                          "lets '${name}' use only: ${all}. Remove the dependency, or change "
                          "the table if the layering really should change.")
    endif()
  endforeach()
  set(${pub} "${p}" PARENT_SCOPE)
  set(${priv} "${q}" PARENT_SCOPE)
  set(${other} "${o}" PARENT_SCOPE)
endfunction()

# rrtc_library(<layer> SOURCES ... [DEPS ...])
# A static library rrtc_<layer> (alias rrtc::<layer>), entered in cmake/layers.cmake. Headers
# are included as "<folder>/file.hpp"; it sees only its own folder and what its DEPS pass on.
# rrtc:: DEPS are linked PUBLIC or PRIVATE as the table says; other targets PUBLIC.
function(rrtc_library layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  _rrtc_layer_deps(${layer} "${ARG_DEPS}" public_deps private_deps other_deps)
  rrtc_layer_include_dir(${layer} include_root)
  add_library(rrtc_${layer} STATIC ${ARG_SOURCES})
  add_library(rrtc::${layer} ALIAS rrtc_${layer})
  target_include_directories(rrtc_${layer} PUBLIC "${include_root}")
  target_compile_options(rrtc_${layer} PRIVATE ${RRTC_WARNINGS})
  target_link_libraries(rrtc_${layer}
    PUBLIC ${public_deps} ${other_deps}
    PRIVATE ${private_deps})
endfunction()

# rrtc_interface_library(<layer> [DEPS ...])
# A header-only layer rrtc_<layer> (alias rrtc::<layer>), entered in cmake/layers.cmake. Its
# headers are all it has, so every dependency is passed on, PRIVATE ones included.
function(rrtc_interface_library layer)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  _rrtc_layer_deps(${layer} "${ARG_DEPS}" public_deps private_deps other_deps)
  rrtc_layer_include_dir(${layer} include_root)
  add_library(rrtc_${layer} INTERFACE)
  add_library(rrtc::${layer} ALIAS rrtc_${layer})
  target_include_directories(rrtc_${layer} INTERFACE "${include_root}")
  target_link_libraries(rrtc_${layer} INTERFACE ${public_deps} ${private_deps} ${other_deps})
endfunction()

# The test binaries with threads of their own or of a C library (the signaling thread, media
# workers, usrsctp's timer thread, GLib and libnice): the ThreadSanitizer tree (RRTC_TSAN) builds
# and registers these only, with the label `tsan` beside their own.
set(RRTC_TSAN_TESTS
  io_loop_test sctp_test transport_nice_test media_engine_test media_fingerprint_test
  signaling_server_test app_binary_test io_spsc_ring_test engine_egress_test)
set(RRTC_TSAN_SUPPRESSIONS "${CMAKE_CURRENT_LIST_DIR}/tsan.supp")
if(RRTC_TSAN)
  add_custom_target(rrtc_tsan_tests)
endif()

# rrtc_test(<name> SOURCES ... [DEPS ...] [LABELS ...])
# A GoogleTest executable; its tests are discovered when CTest runs (not at build time).
# LABELS: one of unit (the default), sim, server, integration (docs/development.md#labels).
function(rrtc_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(RRTC_TSAN AND NOT name IN_LIST RRTC_TSAN_TESTS)
    # Defined (its folder may still set properties on it) but neither built nor run here.
    add_executable(${name} EXCLUDE_FROM_ALL ${ARG_SOURCES})
    target_include_directories(${name} PRIVATE "${PROJECT_SOURCE_DIR}/tests")
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
    return()
  endif()
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
  if(NOT ARG_LABELS MATCHES "^(unit|sim|server|integration)$")
    message(FATAL_ERROR "rrtc_test(${name}): LABELS ${ARG_LABELS}: one of unit, sim, server, "
                        "integration (docs/development.md#labels)")
  endif()
  if(RRTC_TSAN)
    add_dependencies(rrtc_tsan_tests ${name})
    # halt_on_error: the first race fails the test case. Suppressions cover third-party frames
    # only (cmake/tsan.supp says why for each).
    gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 120
      TEST_LIST ${name}_TESTS
      PROPERTIES TIMEOUT 600
                 ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1 history_size=4 suppressions=${RRTC_TSAN_SUPPRESSIONS}")
    # Two labels: gtest_discover_tests flattens PROPERTIES, so LABELS "unit;tsan" would become a
    # property named tsan. A CTest include that runs after the discovery's sets them instead.
    set(labels_file "${CMAKE_CURRENT_BINARY_DIR}/${name}_tsan_labels.cmake")
    file(WRITE "${labels_file}"
         "foreach(test IN LISTS ${name}_TESTS)\n"
         "  set_tests_properties(\"\${test}\" PROPERTIES LABELS \"${ARG_LABELS};tsan\")\n"
         "endforeach()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${labels_file}")
    return()
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
  # unit: in memory and without sockets (name them with -R fuzz_smoke, leave them out with -E).
  set_tests_properties(fuzz_smoke_${name} PROPERTIES LABELS unit TIMEOUT 300)
endfunction()
set(RRTC_FUZZ_SMOKE_SECONDS 20 CACHE STRING "Seconds each fuzz target runs in the CTest smoke run")
