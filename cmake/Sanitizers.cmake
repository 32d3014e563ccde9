# One switch for the ASan+UBSan build; set before any target so every layer and test is
# instrumented alike (mixing instrumented and plain coroutine frames hides frame bugs).
if(COROSIM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
