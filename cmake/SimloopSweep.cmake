# simloop_add_sweep: register a seed sweep of a test binary built with
# simloop's harness adapters as ctest tests, one per shard, so `ctest -j N`
# spreads the shards over N cores (and `ctest -L sweep` selects them).
#
#   include(SimloopSweep)   # or, in simloop's own tree, already included
#   simloop_add_sweep(TARGET my_tests RUNS 10000 SHARDS 4
#                     [NAME my_tests_sweep] [SEED 0] [STRATEGY random|pct|fifo]
#                     [TIME_BUDGET 10m] [TIMEOUT 1800] [LABELS l...]
#                     [ARGS "test name" ...])
#
# Registers <NAME>_shard_<i>_of_<n> for i in [0, n): each runs
#   simloop-sweep --seed SEED --runs RUNS --shard i/n --jobs 1 --junit <bindir>/<test>.xml -- $<TARGET_FILE:TARGET> ARGS
# The shards partition the seed range [SEED, SEED+RUNS): no seed is run twice
# or skipped. ARGS select test cases the way the framework does (Catch2: a
# name or [tag]; gtest: --gtest_filter=...). A failing shard prints each
# distinct failure with its replay line and leaves a JUnit file.
#
# simloop-sweep is a Python 3 script (standard library only).
find_package(Python3 COMPONENTS Interpreter QUIET)

if(NOT SIMLOOP_SWEEP_EXECUTABLE)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/../tools/simloop-sweep)        # source tree
    set(SIMLOOP_SWEEP_EXECUTABLE ${CMAKE_CURRENT_LIST_DIR}/../tools/simloop-sweep)
  else()                                                              # installed: <prefix>/lib/cmake/simloop
    find_program(SIMLOOP_SWEEP_EXECUTABLE simloop-sweep HINTS ${CMAKE_CURRENT_LIST_DIR}/../../../bin)
  endif()
endif()

function(simloop_add_sweep)
  cmake_parse_arguments(ARG "" "TARGET;NAME;RUNS;SHARDS;SEED;STRATEGY;TIME_BUDGET;TIMEOUT" "LABELS;ARGS" ${ARGN})
  if(NOT ARG_TARGET)
    message(FATAL_ERROR "simloop_add_sweep: TARGET is required")
  endif()
  if(NOT Python3_Interpreter_FOUND OR NOT SIMLOOP_SWEEP_EXECUTABLE)
    message(WARNING "simloop_add_sweep(${ARG_TARGET}): needs python3 and simloop-sweep; no sweep registered")
    return()
  endif()
  if(NOT ARG_NAME)
    set(ARG_NAME ${ARG_TARGET}_sweep)
  endif()
  if(NOT ARG_SHARDS)
    set(ARG_SHARDS 1)
  endif()
  if(NOT ARG_SEED)
    set(ARG_SEED 0)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 1800)
  endif()
  set(limits)
  if(ARG_RUNS)
    list(APPEND limits --runs ${ARG_RUNS})
  endif()
  if(ARG_TIME_BUDGET)
    list(APPEND limits --time-budget ${ARG_TIME_BUDGET})
  endif()
  if(NOT limits)
    message(FATAL_ERROR "simloop_add_sweep(${ARG_TARGET}): give RUNS, TIME_BUDGET or both")
  endif()
  if(ARG_STRATEGY)
    list(APPEND limits --strategy ${ARG_STRATEGY})
  endif()
  math(EXPR last "${ARG_SHARDS} - 1")
  foreach(i RANGE 0 ${last})
    set(test ${ARG_NAME}_shard_${i}_of_${ARG_SHARDS})
    add_test(NAME ${test}
             COMMAND Python3::Interpreter ${SIMLOOP_SWEEP_EXECUTABLE} --seed ${ARG_SEED} ${limits}
                     --shard ${i}/${ARG_SHARDS} --jobs 1 --progress lines
                     --junit ${CMAKE_CURRENT_BINARY_DIR}/${test}.xml
                     -- $<TARGET_FILE:${ARG_TARGET}> ${ARG_ARGS})
    set_tests_properties(${test} PROPERTIES LABELS "sweep;${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
  endforeach()
endfunction()
