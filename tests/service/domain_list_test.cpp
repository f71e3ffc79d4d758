// Tests for service/domain_list.cpp: RFC 4180 parsing and defensive handling of broken rows.
#include "service/domain_list.hpp"

#include <gtest/gtest.h>

namespace mh::service {
namespace {

TEST(DomainList, ReadsColumnsByHeaderNameWithQuotesAndSelectors) {
  auto list = parseDomainList(
      "\xEF\xBB\xBF" "domain,agency_vi,category,dkim_selectors\r\n"
      "Mps.gov.vn.,\"Bộ Công an, A05\",ministry,mail;s2025 default\r\n"
      "hanoi.gov.vn,\"UBND \"\"Hà Nội\"\"\",province,\n");
  ASSERT_TRUE(list.errors.empty()) << list.errors[0].message;
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(list.entries[0].domain, "mps.gov.vn");
  EXPECT_EQ(list.entries[0].agency_vi, "Bộ Công an, A05");
  EXPECT_EQ(list.entries[0].dkim_selectors, (std::vector<std::string>{"mail", "s2025", "default"}));
  EXPECT_EQ(list.entries[1].agency_vi, "UBND \"Hà Nội\"");
  EXPECT_NE(list.find("HANOI.gov.vn"), nullptr);
}

TEST(DomainList, SkipsBrokenRowsWithTheirLineAndKeepsTheRest) {
  auto list = parseDomainList(
      "domain,group\n"
      "good.gov.vn,a\n"
      "bad_domain!.gov.vn,b\n"
      "good.gov.vn,dup\n"
      "x.gov.vn,a,extra\n"
      "\n"
      "\"unterminated.gov.vn,c\n");
  ASSERT_EQ(list.entries.size(), 1u);
  ASSERT_EQ(list.errors.size(), 4u);
  EXPECT_EQ(list.errors[0].line, 3u);
  EXPECT_NE(list.errors[0].message.find("invalid domain"), std::string::npos);
  EXPECT_NE(list.errors[1].message.find("duplicate"), std::string::npos);
  EXPECT_NE(list.errors[2].message.find("more fields"), std::string::npos);
  EXPECT_NE(list.errors[3].message.find("unterminated"), std::string::npos);
}

TEST(DomainList, InternationalisedNamesAreStoredAsALabels) {
  auto list = parseDomainList("domain\nbộcôngan.vn\nxn--bcngan-jxa6332d.vn\n");
  ASSERT_EQ(list.entries.size(), 1u);  // the same name twice: the second is a duplicate
  EXPECT_EQ(list.entries[0].domain, "xn--bcngan-jxa6332d.vn");
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_NE(list.errors[0].message.find("duplicate"), std::string::npos);
}

TEST(DomainList, LegacyStatusSuccessorAndUnknownColumns) {
  auto list = parseDomainList(
      "domain,status,successor,colour\n"
      "mic.gov.vn,legacy,most.gov.vn,blue\n"
      "most.gov.vn,current,,red\n"
      "x.gov.vn,retired,,\n");
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_TRUE(list.entries[0].legacy);
  EXPECT_EQ(list.entries[0].successor, "most.gov.vn");
  EXPECT_FALSE(list.entries[1].legacy);
  ASSERT_EQ(list.errors.size(), 2u);
  EXPECT_EQ(list.errors[0].line, 1u);
  EXPECT_NE(list.errors[0].message.find("unknown column 'colour'"), std::string::npos);
  EXPECT_EQ(list.errors[1].line, 4u);
}

TEST(DomainList, RequiresADomainColumn) {
  auto list = parseDomainList("name,group\nexample.gov.vn,x\n");
  EXPECT_TRUE(list.entries.empty());
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_TRUE(parseDomainList("").entries.empty());
}

TEST(DomainList, TheShippedDomainsCsvParsesCleanly) {
  auto list = loadDomainList(std::string(MH_SOURCE_DIR) + "/domains.csv");
  ASSERT_TRUE(list.has_value());
  EXPECT_TRUE(list->errors.empty()) << list->errors.front().line << ": " << list->errors.front().message;
  EXPECT_EQ(list->entries.size(), 103u);
  EXPECT_NE(list->find("mps.gov.vn"), nullptr);
  EXPECT_TRUE(list->find("mic.gov.vn")->legacy);
  EXPECT_EQ(list->find("mic.gov.vn")->successor, "most.gov.vn");
}

}  // namespace
}  // namespace mh::service
