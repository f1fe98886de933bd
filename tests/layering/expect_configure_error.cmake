# Configures tests/layering/configure_fixture, whose rtp library lists rrtc::room in its DEPS,
# and passes only when the configure step fails with rrtc_library()'s layering message.
#   cmake -DRRTC_TARGETS=... -DFIXTURE=... -DWORK=... -P expect_configure_error.cmake
foreach(var IN ITEMS RRTC_TARGETS FIXTURE WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "expect_configure_error.cmake needs -D${var}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" -S "${FIXTURE}" -B "${WORK}" "-DRRTC_TARGETS=${RRTC_TARGETS}"
  RESULT_VARIABLE status
  OUTPUT_VARIABLE printed
  ERROR_VARIABLE errors)
set(want "rrtc_library(rtp): DEPS names rrtc::room, but cmake/layers.cmake lets 'rtp' use only: ")
string(APPEND want "time.")
if(status EQUAL 0)
  message(FATAL_ERROR "configuring a library with an undeclared dependency succeeded:\n${printed}")
endif()
# CMake wraps long messages; compare with the line breaks and indentation taken out.
string(REGEX REPLACE "[\n ]+" " " flat "${errors}")
string(FIND "${flat}" "${want}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "configure failed, but without the layering message\n  ${want}\n"
                      "it said:\n${errors}")
endif()
message(STATUS "configure refused the undeclared dependency: ${want}")
