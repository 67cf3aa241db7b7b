# Every dependency comes from a Debian 12 package. A missing one stops configure with the
# apt-get line that installs it (scripts/setup.sh installs them all). wolfSSL is Debian's source
# package rebuilt with AES-NI by scripts/build_wolfssl.sh, or Debian's own build as a fallback.
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
ringress_require_pkg(CARES libcares libc-ares-dev)

# wolfSSL (target ringress::wolfssl): the prefix scripts/build_wolfssl.sh fills (Debian's
# source, Debian's flags plus AES-NI, the Intel assembly and smaller sessions), linked with an
# RPATH to it; else Debian's libwolfssl-dev, which has neither. RINGRESS_WOLFSSL_PREFIX names
# another prefix, or "system" for Debian's library.
set(RINGRESS_WOLFSSL_PREFIX "" CACHE STRING
    "wolfSSL prefix; empty: the one scripts/build_wolfssl.sh makes; system: Debian's")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/scripts/build_wolfssl.sh)
set(wolfssl_prefix "${RINGRESS_WOLFSSL_PREFIX}")
if(NOT wolfssl_prefix)
  execute_process(COMMAND ${PROJECT_SOURCE_DIR}/scripts/build_wolfssl.sh --print-prefix
                  OUTPUT_VARIABLE wolfssl_prefix OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(NOT wolfssl_prefix STREQUAL "system" AND EXISTS "${wolfssl_prefix}/lib/libwolfssl.so"
   AND EXISTS "${wolfssl_prefix}/include/wolfssl/options.h")
  message(STATUS "wolfSSL: ${wolfssl_prefix}")
  add_library(ringress::wolfssl SHARED IMPORTED)
  set_target_properties(ringress::wolfssl PROPERTIES
    IMPORTED_LOCATION "${wolfssl_prefix}/lib/libwolfssl.so"
    INTERFACE_INCLUDE_DIRECTORIES "${wolfssl_prefix}/include")
else()
  if(NOT wolfssl_prefix STREQUAL "system")
    message(WARNING "wolfSSL: using Debian's libwolfssl, built without AES-NI: TLS bulk "
                    "transfer costs several times the CPU (benchmarks/README.md). "
                    "Run scripts/build_wolfssl.sh (scripts/setup.sh does) to build "
                    "${wolfssl_prefix}; the next build then uses it.")
    # The prefix appearing changes its directory, which makes the next build configure again.
    get_filename_component(wolfssl_cache "${wolfssl_prefix}" DIRECTORY)
    if(wolfssl_cache)
      file(MAKE_DIRECTORY "${wolfssl_cache}")
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${wolfssl_cache}")
    endif()
  endif()
  ringress_require_pkg(WOLFSSL wolfssl libwolfssl-dev)
  add_library(ringress::wolfssl INTERFACE IMPORTED)
  target_link_libraries(ringress::wolfssl INTERFACE PkgConfig::WOLFSSL)
endif()

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
