# Warnings apply to our own targets only, never to the packages we consume.
function(corosim_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports impossible memcpy overlaps inside std::string's operator+ at -O2
    # (https://gcc.gnu.org/bugzilla/show_bug.cgi?id=105329); the warning is noise there.
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(COROSIM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
