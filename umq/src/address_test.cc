#include "address.h"

#include <gtest/gtest.h>

namespace umq {
namespace {

TEST(Address, FindsPipermailAddresses) {
  const auto found = find_obfuscated_addresses("Signed-off-by: Cong Wang <cwang at multikernel.io>");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].address, "cwang@multikernel.io");
  EXPECT_EQ(found[0].begin, 26u);
  EXPECT_EQ(found[0].end, 49u);
  EXPECT_EQ(deobfuscate("Cc: a.b+c at x-y.example.org, d at e.fr."),
            "Cc: a.b+c@x-y.example.org, d@e.fr.");
  EXPECT_EQ(deobfuscate("MODULE_AUTHOR(\"Jeff Dike <jdike at addtoit.com>\");"),
            "MODULE_AUTHOR(\"Jeff Dike <jdike@addtoit.com>\");");
}

TEST(Address, ProseIsNotAnAddress) {
  EXPECT_FALSE(has_obfuscated_address("the page is allocated at boot. Then"));
  EXPECT_FALSE(has_obfuscated_address("hunk applied at offset 0x10"));
  EXPECT_FALSE(has_obfuscated_address("look at arch/um/kernel"));
  EXPECT_FALSE(has_obfuscated_address("stop at .text"));
  // Looks like one; only evidence can tell (import leaves such lines alone).
  EXPECT_TRUE(has_obfuscated_address("the docs at kernel.org"));
  EXPECT_EQ(deobfuscate("no address here"), "no address here");
}

TEST(Address, ArchiveAuthorLine) {
  EXPECT_EQ(author_from_archive_line("Cong Wang xiyou.wangcong at gmail.com"),
            "Cong Wang <xiyou.wangcong@gmail.com>");
  EXPECT_EQ(author_from_archive_line("xiyou.wangcong at gmail.com (Cong Wang)"),
            "Cong Wang <xiyou.wangcong@gmail.com>");
  EXPECT_EQ(author_from_archive_line("\"Wang, Cong\" <cwang at multikernel.io>"),
            "Wang, Cong <cwang@multikernel.io>");
  EXPECT_EQ(author_from_archive_line("cwang at multikernel.io"), "cwang@multikernel.io");
  EXPECT_EQ(author_from_archive_line("Cong Wang <cwang@multikernel.io>"),
            "Cong Wang <cwang@multikernel.io>");
  EXPECT_EQ(author_from_archive_line("nobody"), "");
}

}  // namespace
}  // namespace umq
