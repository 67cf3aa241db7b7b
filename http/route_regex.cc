#include "http/route_regex.h"

#include <stdexcept>

namespace ringress::http::routing {

std::unique_ptr<RE2> compile_regex(const std::string& pattern, std::string_view what) {
  RE2::Options options;
  options.set_log_errors(false);  // the error goes into the exception instead of stderr
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) {
    throw std::invalid_argument(std::string(what) + ": invalid regex \"" + pattern +
                                "\": " + re->error());
  }
  return re;
}

}  // namespace ringress::http::routing
