# Warnings are errors for simloop's own code (not for users who include it).
function(simloop_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
  # GCC 12 at -O3 (the release preset) reports `"literal" + std::string` as
  # an overlapping memcpy (-Wrestrict, GCC bug 105329, fixed in GCC 13): a
  # false positive that would stop the release build of the tests. It stays a
  # warning there, and an error everywhere else.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-error=restrict)
  endif()
endfunction()
