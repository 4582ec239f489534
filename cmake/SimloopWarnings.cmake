# Warnings are errors for simloop's own code (not for users who include it).
function(simloop_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endfunction()
