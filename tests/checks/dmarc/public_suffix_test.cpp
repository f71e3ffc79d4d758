// Tests for checks/dmarc/public_suffix.cpp against the Debian Public Suffix List (MH_PSL_FILE).
#include "checks/dmarc/public_suffix.hpp"

#include <gtest/gtest.h>

namespace mh::dmarc {
namespace {

const PublicSuffixList& psl() {
  static auto list = PublicSuffixList::load(MH_PSL_FILE);
  return *list;
}

TEST(PublicSuffix, LoadsTheSystemListAndRejectsAMissingFile) {
  EXPECT_NE(PublicSuffixList::load(MH_PSL_FILE), nullptr);
  EXPECT_EQ(PublicSuffixList::load("/nonexistent/public_suffix_list.dat"), nullptr);
}

// guidance §3.5: gov.vn should act as a public suffix. The Debian list has "gov.vn" in the ICANN
// section, so each agency domain is its own organisational domain.
TEST(PublicSuffix, GovVnIsAPublicSuffix) {
  EXPECT_TRUE(psl().isPublicSuffix("gov.vn"));
  EXPECT_TRUE(psl().isPublicSuffix("vn"));
  EXPECT_FALSE(psl().isPublicSuffix("hanoi.gov.vn"));
  EXPECT_EQ(psl().organizationalDomain("x.hanoi.gov.vn"), "hanoi.gov.vn");
  EXPECT_EQ(psl().organizationalDomain("mail.sotttt.hanoi.gov.vn"), "hanoi.gov.vn");
  EXPECT_EQ(psl().organizationalDomain("hanoi.gov.vn"), "hanoi.gov.vn");
  EXPECT_EQ(psl().organizationalDomain("mps.gov.vn"), "mps.gov.vn");
}

TEST(PublicSuffix, OrganisationalDomainRfc7489Section32) {
  EXPECT_EQ(psl().organizationalDomain("Mail.Example.COM."), "example.com");
  EXPECT_EQ(psl().organizationalDomain("www.bbc.co.uk"), "bbc.co.uk");
  EXPECT_EQ(psl().organizationalDomain("a.b.example.test"), "example.test");  // default rule "*"
  EXPECT_EQ(psl().organizationalDomain("example.test"), "example.test");
  // A public suffix has no label to add: it is returned as it is (a PSD, RFC 9989 §3.2.x).
  EXPECT_EQ(psl().organizationalDomain("gov.vn"), "gov.vn");
  EXPECT_EQ(psl().organizationalDomain("co.uk"), "co.uk");
}

TEST(PublicSuffix, OddInputsDoNotCrash) {
  EXPECT_EQ(psl().organizationalDomain(""), "");
  EXPECT_EQ(psl().organizationalDomain("."), ".");
  std::string longLabel(70, 'a');
  EXPECT_EQ(psl().organizationalDomain(longLabel + ".example.test"), longLabel + ".example.test");
  EXPECT_FALSE(psl().isPublicSuffix(""));
}

}  // namespace
}  // namespace mh::dmarc
