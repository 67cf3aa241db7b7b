# HTTP/1.1 codec: llhttp, header map, parsers, serializer, reason phrases.

# llhttp from Debian's generated C sources (not our code: built without warnings). Strict mode
# selects the stricter of the two generated parsers (CR must be followed by LF, stricter URL
# characters, no data after `Connection: close`); consumers see the same macro.
add_library(llhttp STATIC
  ${LLHTTP_SOURCE_DIR}/llhttp.c
  ${LLHTTP_SOURCE_DIR}/api.c
  ${LLHTTP_SOURCE_DIR}/http.c)
target_include_directories(llhttp SYSTEM PUBLIC ${LLHTTP_INCLUDE_DIR})
target_compile_definitions(llhttp PUBLIC LLHTTP_STRICT_MODE=1)
target_compile_options(llhttp PRIVATE -w)

target_sources(ringress_http PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/chunked_decoder.cc
  ${CMAKE_CURRENT_LIST_DIR}/header_map.cc
  ${CMAKE_CURRENT_LIST_DIR}/parser.cc
  ${CMAKE_CURRENT_LIST_DIR}/serializer.cc
  ${CMAKE_CURRENT_LIST_DIR}/simple_head.cc
  ${CMAKE_CURRENT_LIST_DIR}/status.cc)
target_link_libraries(ringress_http PUBLIC llhttp)
