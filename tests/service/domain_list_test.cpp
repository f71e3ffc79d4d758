// Tests for service/domain_list.cpp: RFC 4180 parsing and defensive handling of broken rows.
#include "service/domain_list.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace mh::service {
namespace {

TEST(DomainList, ReadsColumnsByHeaderNameWithQuotesAndSelectors) {
  auto list = parseDomainList(
      "\xEF\xBB\xBF"
      "domain,agency_vi,category,dkim_selectors\r\n"
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

TEST(DomainList, NotesAreReadAndAFileWithoutThemStillLoads) {
  auto list = parseDomainList(
      "domain,group,notes\n"
      "mic.gov.vn,Bộ,\"legacy ministry (merged 2025-03-01) → most.gov.vn, cybersecurity to MPS\"\n"
      "most.gov.vn,Bộ,\n");
  ASSERT_TRUE(list.errors.empty()) << list.errors[0].message;
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(list.entries[0].notes,
            "legacy ministry (merged 2025-03-01) → most.gov.vn, cybersecurity to MPS");
  EXPECT_EQ(list.entries[0].group, "Bộ");
  EXPECT_EQ(list.entries[1].notes, "");

  auto old =
      parseDomainList("domain,agency_vi,category,group\nmps.gov.vn,Bộ Công an,ministry,Bộ\n");
  ASSERT_TRUE(old.errors.empty()) << old.errors[0].message;
  EXPECT_EQ(old.entries.at(0).group, "Bộ");
  EXPECT_EQ(old.entries.at(0).notes, "");
}

TEST(DomainList, SingleMemberGroupsAreFoundAndLoggedOnLoad) {
  const std::string csv =
      "domain,group\n"
      "a.gov.vn,Bộ\n"
      "b.gov.vn,Bộ\n"
      "c.gov.vn,\"absorbed MIC 2025-03-01\"\n"
      "d.gov.vn,\n"
      "e.gov.vn,\n"
      "f.gov.vn,Tỉnh/thành phố\n";
  EXPECT_EQ(parseDomainList(csv).singleMemberGroups(),
            (std::vector<std::string>{"Tỉnh/thành phố", "absorbed MIC 2025-03-01"}));

  const auto path = std::filesystem::temp_directory_path() /
                    ("mh-domain-list-test-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path) << csv;
  std::ostringstream log;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  auto logger = registryLogger();
  logger->sinks().push_back(sink);
  auto list = loadDomainList(path.string());
  logger->sinks().pop_back();
  std::filesystem::remove(path);
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(list->entries.size(), 6u);
  const std::string text = log.str();
  EXPECT_NE(text.find("group has a single member file=" + path.string() +
                      " group=\"absorbed MIC 2025-03-01\" domain=c.gov.vn"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("group=\"Tỉnh/thành phố\" domain=f.gov.vn"), std::string::npos) << text;
  EXPECT_EQ(text.find("group=\"Bộ\""), std::string::npos) << "two members: no warning";
}

TEST(DomainList, TheShippedDomainsCsvParsesCleanly) {
  auto list = loadDomainList(std::string(MH_SOURCE_DIR) + "/domains.csv");
  ASSERT_TRUE(list.has_value());
  EXPECT_TRUE(list->errors.empty())
      << list->errors.front().line << ": " << list->errors.front().message;
  EXPECT_EQ(list->entries.size(), 103u);
  EXPECT_NE(list->find("mps.gov.vn"), nullptr);
  EXPECT_TRUE(list->find("mic.gov.vn")->legacy);
  EXPECT_EQ(list->find("mic.gov.vn")->successor, "most.gov.vn");
}

// Issue 15: the group column groups. Every domain of the shipped list is in one of five groups,
// each with several members; a legacy body is in its successor's group; the old free text of
// the group column is kept as notes.
TEST(DomainList, TheShippedDomainsCsvHasRealGroups) {
  auto list = loadDomainList(std::string(MH_SOURCE_DIR) + "/domains.csv");
  ASSERT_TRUE(list.has_value());
  std::set<std::string> groups;
  for (const auto& e : list->entries) {
    EXPECT_FALSE(e.group.empty()) << e.domain;
    groups.insert(e.group);
    if (e.legacy) {
      const DomainEntry* successor = list->find(e.successor);
      ASSERT_NE(successor, nullptr) << e.domain;
      EXPECT_EQ(e.group, successor->group) << e.domain;
    }
  }
  EXPECT_EQ(groups, (std::set<std::string>{"Bộ", "Cơ quan ngang bộ", "Cơ quan trung ương",
                                           "Tỉnh/thành phố", "Doanh nghiệp nhà nước"}));
  EXPECT_TRUE(list->singleMemberGroups().empty());
  EXPECT_EQ(list->find("sbv.gov.vn")->group, "Cơ quan ngang bộ");
  EXPECT_EQ(list->find("cema.gov.vn")->group, "Bộ") << "with its successor bdttg.gov.vn";
  EXPECT_EQ(list->find("hagiang.gov.vn")->group, "Tỉnh/thành phố");
  EXPECT_EQ(list->find("mic.gov.vn")->notes,
            "legacy ministry (merged 2025-03-01) → most.gov.vn / cybersecurity to MPS");
}

}  // namespace
}  // namespace mh::service
