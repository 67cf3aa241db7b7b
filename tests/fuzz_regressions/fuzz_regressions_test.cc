// Replays the checked-in fuzz inputs through the fuzz targets' entry functions (fuzz/), in the
// normal builds: every file of fuzz/regressions/<target>/ (an input that once crashed or broke a
// check, one test each) and all of fuzz/corpus/<target>/ (the seeds, one test per target). A
// broken invariant aborts with its message; under the asan preset, memory errors fail too.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_targets.h"

namespace ringress::fuzz {
namespace {

namespace fs = std::filesystem;

struct Input {
  const Target* target;
  fs::path path;
};

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

void replay(const Target& target, const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
  target.entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::vector<Input> regressions() {
  std::vector<Input> out;
  for (const Target& t : kTargets)
    for (const fs::path& p : files_in(fs::path(RINGRESS_FUZZ_DIR) / "regressions" / t.name))
      out.push_back({&t, p});
  return out;
}

class Regression : public ::testing::TestWithParam<Input> {};

TEST_P(Regression, StaysFixed) { replay(*GetParam().target, GetParam().path); }

std::string test_name(const ::testing::TestParamInfo<Input>& info) {
  std::string name =
      std::string(info.param.target->name) + "_" + info.param.path.filename().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fuzz, Regression, ::testing::ValuesIn(regressions()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Regression);

class Seeds : public ::testing::TestWithParam<const Target*> {};

TEST_P(Seeds, PassEveryCheck) {
  const std::vector<fs::path> files =
      files_in(fs::path(RINGRESS_FUZZ_DIR) / "corpus" / GetParam()->name);
  EXPECT_FALSE(files.empty()) << "no seeds for " << GetParam()->name;
  for (const fs::path& p : files) {
    SCOPED_TRACE(p.string());
    replay(*GetParam(), p);
  }
}

INSTANTIATE_TEST_SUITE_P(Fuzz, Seeds, ::testing::ValuesIn([] {
                           std::vector<const Target*> out;
                           for (const Target& t : kTargets) out.push_back(&t);
                           return out;
                         }()),
                         [](const ::testing::TestParamInfo<const Target*>& info) {
                           return std::string(info.param->name);
                         });

}  // namespace
}  // namespace ringress::fuzz
