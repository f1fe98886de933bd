# Runs scripts/check_layers.py on a tree that breaks the layering and passes only when the
# checker exits 1 and prints exactly the expected violations: each line of EXPECTED (a prefix of
# one printed line, in order) and nothing more. A crash, a clean exit or a missed or extra
# violation fails, unlike WILL_FAIL, which a crash would also satisfy.
#   cmake -DPYTHON=... -DCHECKER=... -DTABLE=... -DSRC=... -DEXPECTED=... -P expect_violations.cmake
foreach(var IN ITEMS PYTHON CHECKER TABLE SRC EXPECTED)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "expect_violations.cmake needs -D${var}=...")
  endif()
endforeach()

execute_process(
  COMMAND "${PYTHON}" "${CHECKER}" --table "${TABLE}" --src "${SRC}"
  RESULT_VARIABLE status
  OUTPUT_VARIABLE printed
  ERROR_VARIABLE errors)
if(NOT status STREQUAL "1")
  message(FATAL_ERROR "the checker exited with '${status}', not 1 (violations found):\n"
                      "${printed}${errors}")
endif()

file(STRINGS "${EXPECTED}" expected REGEX "^[^#]")
string(REGEX REPLACE "\n$" "" printed_trimmed "${printed}")
string(REPLACE ";" "\\;" printed_trimmed "${printed_trimmed}")
string(REPLACE "\n" ";" lines "${printed_trimmed}")
list(LENGTH expected expected_count)
list(LENGTH lines printed_count)
if(NOT expected_count EQUAL printed_count)
  message(FATAL_ERROR "expected ${expected_count} violations, the checker printed "
                      "${printed_count}:\n${printed}")
endif()
foreach(index RANGE 1 ${expected_count})
  math(EXPR i "${index} - 1")
  list(GET expected ${i} want)
  list(GET lines ${i} got)
  string(FIND "${got}" "${want}" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "violation ${index}: expected a line starting with\n  ${want}\n"
                        "the checker printed\n  ${got}")
  endif()
endforeach()
message(STATUS "the checker rejected ${SRC} with the ${expected_count} expected violations")
