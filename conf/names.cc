#include <algorithm>

#include "conf/sections.h"

namespace ringress::conf {

namespace {

constexpr size_t kMaxNameLength = 64;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

}  // namespace

std::string read_name(const Value& value) {
  std::string name = value.string();
  if (name.empty() || name.size() > kMaxNameLength ||
      !std::all_of(name.begin(), name.end(), is_name_char))
    value.fail("names are 1 to 64 letters, digits, \"-\", \"_\" or \".\", got " + value.describe());
  return name;
}

}  // namespace ringress::conf
