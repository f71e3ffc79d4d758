# The OpenSPF conformance suites (RFC 7208 and RFC 4408) run through check_host() by a YAML driver.
if(TARGET mh_spf)
  find_package(yaml-cpp REQUIRED)
  add_executable(spf_suite_driver ${CMAKE_CURRENT_LIST_DIR}/spf_suite_driver.cpp)
  target_link_libraries(spf_suite_driver PRIVATE mh_spf yaml-cpp)
  add_test(NAME spf_conformance
           COMMAND spf_suite_driver ${MH_SHARED_DIR}/testdata/spf/rfc7208-tests.yml)
  # The driver recognises rfc4408-tests.yml and skips the cases RFC 7208 superseded (listed, with
  # the reason, in spf_suite_driver.cpp).
  add_test(NAME spf_conformance_rfc4408
           COMMAND spf_suite_driver ${MH_SHARED_DIR}/testdata/spf/rfc4408-tests.yml)
  set_tests_properties(spf_conformance spf_conformance_rfc4408
                       PROPERTIES LABELS conformance TIMEOUT 60)
endif()
