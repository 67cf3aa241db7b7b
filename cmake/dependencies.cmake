# Every dependency comes from a Debian 12 package. A missing one stops configure with the
# apt-get line that installs it (scripts/setup.sh installs them all).
find_package(PkgConfig REQUIRED)

function(ringress_require_pkg var module package)
  pkg_check_modules(${var} IMPORTED_TARGET ${module})
  if(NOT ${var}_FOUND)
    message(FATAL_ERROR "${module} not found: sudo apt-get install ${package}  (or run scripts/setup.sh)")
  endif()
endfunction()

ringress_require_pkg(URING liburing liburing-dev)
ringress_require_pkg(TOMLPP tomlplusplus libtomlplusplus-dev)
ringress_require_pkg(RE2 re2 libre2-dev)

# llhttp: Debian's node-llhttp ships the generated C sources; http/ builds them as a library.
set(LLHTTP_SOURCE_DIR /usr/share/llhttp)
set(LLHTTP_INCLUDE_DIR /usr/share/include/llhttp)
if(NOT EXISTS ${LLHTTP_SOURCE_DIR}/llhttp.c OR NOT EXISTS ${LLHTTP_INCLUDE_DIR}/llhttp.h)
  message(FATAL_ERROR "llhttp sources not found: sudo apt-get install node-llhttp  (or run scripts/setup.sh)")
endif()

find_package(Threads REQUIRED)

if(RINGRESS_TESTS)
  find_package(GTest QUIET)
  if(NOT GTest_FOUND)
    message(FATAL_ERROR "GoogleTest not found: sudo apt-get install libgtest-dev  (or run scripts/setup.sh)")
  endif()
endif()
if(RINGRESS_BENCHMARKS)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    message(FATAL_ERROR "Google Benchmark not found: sudo apt-get install libbenchmark-dev  (or run scripts/setup.sh)")
  endif()
endif()
