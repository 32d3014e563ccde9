# One switch for the ASan+UBSan build; set before any target so every layer and test is
# instrumented alike (mixing instrumented and plain coroutine frames hides frame bugs).
if(COROSIM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# The parser fuzz targets (tests/fuzz): everything is built with coverage for libFuzzer and
# ASan+UBSan, so a crash, a leak or undefined behaviour in any parser stops the fuzzer. Only
# when the compiler can link a libFuzzer target (clang, with Debian's libclang-rt-14-dev).
if(COROSIM_FUZZ)
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS -fsanitize=fuzzer)
  set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=fuzzer)
  check_cxx_source_compiles(
    "#include <cstddef>\n#include <cstdint>\nextern \"C\" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }"
    COROSIM_HAVE_LIBFUZZER)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(COROSIM_HAVE_LIBFUZZER)
    # Not UBSan's `function` check: with coverage on, clang 14 cannot emit its prologue data for
    # the split parts of a coroutine ("Cannot represent a difference across sections").
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-omit-frame-pointer
                        -fno-sanitize-recover=all)
    add_link_options(-fsanitize=address,undefined)
  else()
    message(WARNING "COROSIM_FUZZ: ${CMAKE_CXX_COMPILER} cannot link -fsanitize=fuzzer (clang with libclang-rt-14-dev can); no fuzz targets")
  endif()
endif()
