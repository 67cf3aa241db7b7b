#include "conf/fingerprint.h"

#include <fstream>
#include <iterator>
#include <sstream>

namespace ringress::conf {

std::string definition_fingerprint(const toml::node& node,
                                   std::initializer_list<const std::string*> files) {
  std::ostringstream out;
  node.visit([&out](const auto& n) { out << n; });
  for (const std::string* path : files) {
    out << "\n--- " << *path << "\n";
    if (path->empty()) continue;
    std::ifstream in(*path, std::ios::binary);
    out << std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out.str();
}

}  // namespace ringress::conf
