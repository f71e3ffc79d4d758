// Tests for reports/domain_report_text.cpp: what a terminal reader sees.
#include "reports/domain_report_text.hpp"

#include <gtest/gtest.h>

namespace mh::reports {
namespace {

audit::DomainReport sampleReport() {
  audit::DomainReport report;
  report.domain = "example.gov.vn";
  report.rubric_version = "test";
  report.started_at = "2026-11-21T00:00:00Z";
  report.profile.reasons = {"receives mail: an MX host"};
  CheckResult mx;
  mx.id = "MX-01";
  mx.add(makeFinding("MX_SINGLE_HOST", Status::Warn)).arg("host", "mx.example.gov.vn");
  mx.remediation = {"Thêm MX thứ hai.", "Add a second MX."};
  report.checks.push_back(mx);
  CheckResult hyg;
  hyg.id = "HYG-01";
  hyg.add(makeFinding("HYG_LOOKUP_ERROR", Status::Error))
      .arg("name", "1.2.0.192.in-addr.arpa")
      .arg("type", "PTR")
      .arg("status", "TIMEOUT");
  report.checks.push_back(hyg);
  return report;
}

TEST(DomainReportText, PlainTextShowsChecksFindingsAndBothRemediations) {
  auto text = renderText(sampleReport(), {});
  EXPECT_NE(text.find("WARN  MX-01"), std::string::npos) << text;
  EXPECT_NE(text.find("only one MX host (mx.example.gov.vn)"), std::string::npos) << text;
  EXPECT_NE(text.find("Fix: Add a second MX."), std::string::npos);
  EXPECT_NE(text.find("Sửa: Thêm MX thứ hai."), std::string::npos);
  EXPECT_NE(text.find("ERROR HYG-01"), std::string::npos);
  EXPECT_NE(text.find("not failures and are retried"), std::string::npos);
  EXPECT_EQ(text.find('\033'), std::string::npos);  // no escape codes off a TTY
}

TEST(DomainReportText, TierReasonsInEnglishThenVietnamese) {
  // No SPF or DMARC check in the sample: the baseline cannot be judged.
  auto text = renderText(sampleReport(), {});
  EXPECT_NE(text.find("  - could not be judged: DMARC record\n"
                      "    không đánh giá được: bản ghi DMARC\n"),
            std::string::npos)
      << text;
  TextOptions englishOnly;
  englishOnly.vietnamese = false;
  text = renderText(sampleReport(), englishOnly);
  EXPECT_NE(text.find("  - could not be judged: DMARC record\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("không đánh giá được"), std::string::npos) << text;
}

TEST(DomainReportText, CapsInEnglishThenVietnamese) {
  // DMARC-01 (critical) failed: the score is capped, the cap printed in both languages.
  auto report = sampleReport();
  CheckResult dmarc;
  dmarc.id = "DMARC-01";
  dmarc.add(makeFinding("DMARC_NO_RECORD", Status::Fail)).arg("domain", "example.gov.vn");
  report.checks.push_back(dmarc);
  auto text = renderText(report, {});
  EXPECT_NE(text.find("  capped: critical failure: DMARC-01\n"
                      "          lỗi nghiêm trọng: DMARC-01\n"),
            std::string::npos)
      << text;
  TextOptions englishOnly;
  englishOnly.vietnamese = false;
  text = renderText(report, englishOnly);
  EXPECT_NE(text.find("  capped: critical failure: DMARC-01\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("lỗi nghiêm trọng"), std::string::npos) << text;
  // No cap, no "capped:" line.
  EXPECT_EQ(renderText(sampleReport(), {}).find("capped:"), std::string::npos);
}

TEST(DomainReportText, ColourOnlyWhenAsked) {
  TextOptions options;
  options.colour = true;
  EXPECT_NE(renderText(sampleReport(), options).find("\033[33m"), std::string::npos);
}

}  // namespace
}  // namespace mh::reports
