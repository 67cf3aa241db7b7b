#include "http/route_regex.h"

#include <algorithm>
#include <stdexcept>

namespace ringress::http::routing {

RE2::Options regex_options() {
  RE2::Options options;
  options.set_log_errors(false);  // the error goes into the exception instead of stderr
  return options;
}

std::unique_ptr<RE2> compile_regex(const std::string& pattern, std::string_view what) {
  auto re = std::make_unique<RE2>(pattern, regex_options());
  if (!re->ok()) {
    throw std::invalid_argument(std::string(what) + ": invalid regex \"" + pattern +
                                "\": " + re->error());
  }
  return re;
}

std::string literal_prefix(const std::string& pattern, int max_length) {
  RE2 re(pattern, regex_options());
  std::string min, max;
  if (!re.ok() || !re.PossibleMatchRange(&min, &max, max_length)) return {};
  auto [at_min, at_max] = std::mismatch(min.begin(), min.end(), max.begin(), max.end());
  return std::string(min.begin(), at_min);
}

}  // namespace ringress::http::routing
