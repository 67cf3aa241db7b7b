# The router's matching and rewriting: RouteTable and its parts (docs/routing.md).
target_sources(ringress_http PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/domain_matcher.cc
  ${CMAKE_CURRENT_LIST_DIR}/path_normalize.cc
  ${CMAKE_CURRENT_LIST_DIR}/path_rewrite.cc
  ${CMAKE_CURRENT_LIST_DIR}/path_trie.cc
  ${CMAKE_CURRENT_LIST_DIR}/regex_group.cc
  ${CMAKE_CURRENT_LIST_DIR}/route_index.cc
  ${CMAKE_CURRENT_LIST_DIR}/route_matcher.cc
  ${CMAKE_CURRENT_LIST_DIR}/route_regex.cc
  ${CMAKE_CURRENT_LIST_DIR}/route_table.cc
)
target_link_libraries(ringress_http PUBLIC PkgConfig::RE2)
