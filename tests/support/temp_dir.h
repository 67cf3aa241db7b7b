// A private directory under $TMPDIR (or /tmp), removed with everything in it when destroyed.
#pragma once

#include <string>

namespace ringress::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Empty if the directory could not be made.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The whole content of `path` ("" if it cannot be read).
std::string read_text_file(const std::string& path);

}  // namespace ringress::test
