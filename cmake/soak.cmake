# soak_library(NAME SRCS DEPS...): a static library. Components glob their own folder so that adding a
# module does not mean editing a file list.
function(soak_library name srcs)
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARGN})
endfunction()

# soak_unit_tests(DIR LIB...): one ctest per tests/unit/<component>/*_test.c, linked with LIBs and cmocka.
function(soak_unit_tests dir)
  file(GLOB tests CONFIGURE_DEPENDS ${dir}/*_test.c)
  get_filename_component(component ${dir} NAME)
  foreach(src ${tests})
    get_filename_component(base ${src} NAME_WE)
    set(target unit_${component}_${base})
    add_executable(${target} ${src})
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/tests)
    target_link_libraries(${target} PRIVATE ${ARGN} PkgConfig::CMOCKA m)
    add_test(NAME ${component}/${base} COMMAND ${target})
    set_tests_properties(${component}/${base} PROPERTIES LABELS unit TIMEOUT 120
      ENVIRONMENT "SOAK_TIME_SCALE=${SOAK_TEST_TIME_SCALE}")
  endforeach()
endfunction()
