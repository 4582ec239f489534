# cmake -P run_consumer.cmake: build and run the consumer project against
# simloop, in MODE "package" (install simloop to a prefix, find_package it) or
# "subdirectory" (add_subdirectory of the source tree).
foreach(v MODE SOURCE_DIR BINARY_DIR WORK_DIR CXX_FLAGS LINKER_FLAGS CXX_COMPILER)
  if(NOT DEFINED ${v})
    set(${v} "")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
set(common -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()
if(MODE STREQUAL "package")
  run(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK_DIR}/prefix)
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer/project -B ${WORK_DIR}/build ${common}
    -DSIMLOOP_MODE=package -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
else()
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer/project -B ${WORK_DIR}/build ${common}
    -DSIMLOOP_MODE=subdirectory -DSIMLOOP_SOURCE_DIR=${SOURCE_DIR})
endif()
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
