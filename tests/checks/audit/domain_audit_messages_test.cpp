// Tests of the finding messages: every tag has a Vietnamese template, and both languages render.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "checks/audit/domain_audit.hpp"
#include "checks/dmarc/public_suffix.hpp"
#include "checks/dns/fixture_resolver.hpp"

namespace mh::audit {
namespace {

std::set<std::string> placeholders(std::string_view tmpl) {
  static const std::regex placeholder(R"(\{([A-Za-z_0-9]+)\})");
  std::set<std::string> names;
  const std::string text(tmpl);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), placeholder);
       it != std::sregex_iterator(); ++it)
    names.insert((*it)[1].str());
  return names;
}

TEST(TagCatalogue, EveryTagOfEveryAreaHasAVietnameseMessageWithTheSamePlaceholders) {
  const auto catalogues = allTagCatalogues();
  ASSERT_EQ(catalogues.size(), 11u);  // the audit's own and the ten areas
  std::set<std::string_view> seen;
  for (const auto& catalogue : catalogues) {
    ASSERT_FALSE(catalogue.empty());
    for (const TagSpec& spec : catalogue) {
      EXPECT_TRUE(seen.insert(spec.tag).second) << "tag in two catalogues: " << spec.tag;
      EXPECT_FALSE(spec.message_vi.empty()) << spec.tag;
      EXPECT_NE(spec.message_vi, spec.message) << "not translated: " << spec.tag;
      EXPECT_EQ(placeholders(spec.message_vi), placeholders(spec.message)) << spec.tag;
    }
  }
  EXPECT_GT(seen.size(), 150u);
}

TEST(TagCatalogue, EveryTagIsFoundByName) {
  for (const auto& catalogue : allTagCatalogues())
    for (const TagSpec& spec : catalogue) EXPECT_EQ(findAnyTagSpec(spec.tag), &spec) << spec.tag;
}

TEST(AuditMessages, RendersTheArgumentsIntoEitherLanguage) {
  Finding f = makeFinding("SPF_TOO_MANY_LOOKUPS", Status::Fail);
  f.arg("count", 12).arg("limit", 10).arg("at", "include:_spf.provider.example");
  EXPECT_EQ(renderMessage(f),
            "12 DNS-querying terms (limit 10); the limit is passed at "
            "include:_spf.provider.example");
  EXPECT_EQ(renderMessage(f, Language::En), renderMessage(f));
  EXPECT_EQ(renderMessage(f, Language::Vi),
            "12 thành phần cần truy vấn DNS (giới hạn 10); vượt giới hạn tại "
            "include:_spf.provider.example");
}

TEST(AuditMessages, UnknownTagRendersAsItselfInBothLanguages) {
  const Finding f = makeFinding("NO_SUCH_TAG", Status::Warn);
  EXPECT_EQ(renderMessage(f), "NO_SUCH_TAG");
  EXPECT_EQ(renderMessage(f, Language::Vi), "NO_SUCH_TAG");
}

TEST(AuditMessages, EntryWithoutVietnameseFallsBackToEnglish) {
  const TagSpec englishOnly{"X_ENGLISH_ONLY", "X-01", "{host} is fine", "", "", ""};
  const TagSpec bilingual{"X_BILINGUAL", "X-01", "{host} is fine", "", "", "{host} vẫn ổn"};
  Finding f = makeFinding("X_ENGLISH_ONLY", Status::Pass);
  f.arg("host", "mx1.example.vn");
  EXPECT_EQ(renderMessage(englishOnly, f, Language::Vi), "mx1.example.vn is fine");
  EXPECT_EQ(renderMessage(bilingual, f, Language::Vi), "mx1.example.vn vẫn ổn");
  EXPECT_EQ(renderMessage(bilingual, f, Language::En), "mx1.example.vn is fine");
}

TEST(AuditMessages, ReportJsonCarriesBothMessagesOfEveryFinding) {
  auto psl = dmarc::PublicSuffixList::load(MH_PSL_FILE);
  ASSERT_TRUE(psl);
  AuditOptions options;
  options.psl = psl.get();
  dns::FixtureResolver f;
  f.addZone(R"(agency.example.vn MX 10 mx1.agency.example.vn
mx1.agency.example.vn A 192.0.2.10
agency.example.vn TXT "v=spf1 mx ~all")");
  const DomainReport report = auditDomain(f, "agency.example.vn", options);
  const Json json = toJson(report);

  std::size_t findings = 0;
  bool sawNoDmarc = false;
  const auto& checks = json.find("checks")->asArray();
  ASSERT_EQ(checks.size(), report.checks.size());
  for (std::size_t c = 0; c < checks.size(); ++c) {
    const auto& rendered = checks[c].find("findings")->asArray();
    ASSERT_EQ(rendered.size(), report.checks[c].findings.size());
    for (std::size_t i = 0; i < rendered.size(); ++i) {
      const Finding& finding = report.checks[c].findings[i];
      EXPECT_EQ(rendered[i].find("message")->asString(), renderMessage(finding));
      EXPECT_EQ(rendered[i].find("message_vi")->asString(), renderMessage(finding, Language::Vi));
      EXPECT_NE(rendered[i].find("message_vi")->asString(), rendered[i].find("message")->asString())
          << finding.tag;
      if (finding.tag == "DMARC_NO_RECORD") {
        sawNoDmarc = true;
        EXPECT_EQ(rendered[i].find("message_vi")->asString(),
                  "Không có bản ghi DMARC tại _dmarc.agency.example.vn cũng như tại tên miền cấp "
                  "tổ chức example.vn");
      }
      ++findings;
    }
  }
  EXPECT_GT(findings, 5u);
  EXPECT_TRUE(sawNoDmarc);
}

}  // namespace
}  // namespace mh::audit
