#include "tests/support/log_file.h"

#include <cctype>
#include <charconv>
#include <thread>

#include "tests/support/temp_dir.h"

namespace ringress::test {

std::vector<std::string> complete_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string_view::npos;
       start = end + 1, end = text.find('\n', start))
    lines.emplace_back(text.substr(start, end - start));
  return lines;
}

std::vector<std::string> wait_for_lines(const std::string& path, size_t n, Deadline deadline) {
  for (;;) {
    std::vector<std::string> lines = complete_lines(read_text_file(path));
    if (lines.size() >= n || Clock::now() >= deadline) return lines;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<uint64_t> count_before(std::string_view text, std::string_view label) {
  std::optional<uint64_t> found;
  const std::string needle = " " + std::string(label);
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + 1)) {
    size_t digits = at;
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(text[digits - 1]))) --digits;
    uint64_t n = 0;
    if (digits == at ||
        std::from_chars(text.data() + digits, text.data() + at, n).ec != std::errc())
      continue;
    found = n;
  }
  return found;
}

}  // namespace ringress::test
