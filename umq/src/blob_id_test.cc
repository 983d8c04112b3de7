#include "blob_id.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <cstdlib>
#include <unistd.h>

namespace umq {
namespace {

TEST(BlobId, KnownValues) {
  EXPECT_EQ(blob_id(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  EXPECT_EQ(blob_id("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
}

TEST(BlobId, BinaryAndNulBytes) {
  const std::string data("a\0b\r\n", 5);
  EXPECT_NE(blob_id(data), blob_id("ab\r\n"));
  EXPECT_EQ(blob_id(data).size(), 40u);
}

// Cross-check against the real git when it is installed.
TEST(BlobId, MatchesGitHashObject) {
  if (std::system("git --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no git";
  char tmpl[] = "/tmp/umq-blob-XXXXXX";
  const int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  const std::string data = "line one\r\nline two\n\tno newline at end";
  ASSERT_EQ(write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  close(fd);
  const std::string cmd = std::string("git hash-object --no-filters ") + tmpl;
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[64] = {};
  ASSERT_NE(fgets(buf, sizeof buf, pipe), nullptr);
  pclose(pipe);
  std::remove(tmpl);
  EXPECT_EQ(std::string(buf, 40), blob_id(data));
}

TEST(BlobId, AbbreviatedMatching) {
  const std::string full = blob_id("hello\n");
  EXPECT_TRUE(id_matches("ce01362", full));
  EXPECT_TRUE(id_matches("CE013625030B", full));
  EXPECT_TRUE(id_matches(full, full));
  EXPECT_FALSE(id_matches("ce01363", full));
  EXPECT_FALSE(id_matches("ce0", full));  // too short to be an id
  EXPECT_FALSE(id_matches("ce01xyz", full));
}

TEST(BlobId, NullIds) {
  EXPECT_TRUE(is_null_id("0000000"));
  EXPECT_TRUE(is_null_id("000000000000"));
  EXPECT_FALSE(is_null_id("0000001"));
  EXPECT_FALSE(is_null_id(""));
}

}  // namespace
}  // namespace umq
