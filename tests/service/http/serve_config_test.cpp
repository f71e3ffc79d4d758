// Tests of the schedule keys of service/http/serve_config.cpp: file keys, command-line
// overrides, and errors that name the key (the other keys: server_test.cpp).
#include "service/http/serve_config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/service/http/http_test_support.hpp"

namespace mh::service::http {
namespace {

using testing::TempDir;

std::string writeIni(const TempDir& dir, const std::string& name, const std::string& text) {
  const auto path = dir.path / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(ServeConfigSchedule, DefaultsAreOffWithThirtyMinuteRechecksAndResume) {
  auto c = std::get<ServeConfig>(parseServeArguments({}));
  EXPECT_EQ(c.schedule.schedule.kind, Schedule::Kind::Off);
  EXPECT_EQ(c.schedule.schedule.utc_offset, std::chrono::minutes(7 * 60));
  EXPECT_EQ(c.schedule.retry_delay, std::chrono::minutes(30));
  EXPECT_EQ(c.schedule.rechecks, 2);
  EXPECT_TRUE(c.schedule.resume_on_start);
  EXPECT_FALSE(c.clock);
}

TEST(ServeConfigSchedule, ReadsTheAuditKeysThenTheCommandLine) {
  TempDir dir;
  const auto ini = writeIni(dir, "s.ini",
                            "[audit]\nthreads = 4\nschedule = every 6 hours\nutc_offset = Z\n"
                            "retry_delay = 45 minutes\nrechecks = 3\nresume_on_start = no\n");
  auto fromFile = std::get<ServeConfig>(parseServeArguments({"--config", ini}));
  EXPECT_EQ(describe(fromFile.schedule.schedule), "every 6 hours");
  EXPECT_EQ(fromFile.schedule.schedule.utc_offset, std::chrono::minutes(0));
  EXPECT_EQ(fromFile.schedule.retry_delay, std::chrono::minutes(45));
  EXPECT_EQ(fromFile.schedule.rechecks, 3);
  EXPECT_FALSE(fromFile.schedule.resume_on_start);

  // The command line wins and keeps the file's offset.
  auto overridden = std::get<ServeConfig>(
      parseServeArguments({"--config", ini, "--schedule", "daily 02:30", "--retry-delay=2h"}));
  EXPECT_EQ(describe(overridden.schedule.schedule), "daily 02:30");
  EXPECT_EQ(overridden.schedule.schedule.utc_offset, std::chrono::minutes(0));
  EXPECT_EQ(overridden.schedule.retry_delay, std::chrono::hours(2));
  EXPECT_EQ(overridden.schedule.rechecks, 3);

  auto withoutFile = std::get<ServeConfig>(parseServeArguments({"--schedule", "every 90 min"}));
  EXPECT_EQ(withoutFile.schedule.schedule.interval, std::chrono::minutes(90));
  EXPECT_EQ(withoutFile.schedule.schedule.utc_offset, kVietnamUtcOffset);
}

TEST(ServeConfigSchedule, ErrorsNameTheKeyOrOption) {
  TempDir dir;
  struct Case {
    std::string ini;
    std::string expected;
  };
  const Case cases[] = {
      {"[audit]\nschedule = weekly\n", "audit.schedule"},
      {"[audit]\nutc_offset = Asia/Ho_Chi_Minh\n", "audit.utc_offset"},
      {"[audit]\nretry_delay = 30\n", "audit.retry_delay"},
      {"[audit]\nrechecks = 11\n", "audit.rechecks"},
      {"[audit]\nresume_on_start = maybe\n", "audit.resume_on_start"},
  };
  int i = 0;
  for (const auto& c : cases) {
    const auto ini = writeIni(dir, "bad" + std::to_string(i++) + ".ini", c.ini);
    auto parsed = parseServeArguments({"--config", ini});
    ASSERT_TRUE(std::holds_alternative<ServeUsage>(parsed)) << c.ini;
    EXPECT_NE(std::get<ServeUsage>(parsed).message.find(c.expected), std::string::npos)
        << std::get<ServeUsage>(parsed).message;
  }
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--schedule", "sometimes"}, {"--retry-delay", "soon"}, {"--schedule"}}) {
    auto parsed = parseServeArguments(args);
    ASSERT_TRUE(std::holds_alternative<ServeUsage>(parsed)) << args[0];
    EXPECT_NE(std::get<ServeUsage>(parsed).message.find(args[0]), std::string::npos)
        << std::get<ServeUsage>(parsed).message;
  }
}

TEST(ServeConfigSchedule, TheExampleConfigurationParses) {
  auto parsed =
      parseServeArguments({"--config", std::string(MH_SOURCE_DIR) + "/service/mailhygiene.ini"});
  ASSERT_TRUE(std::holds_alternative<ServeConfig>(parsed)) << std::get<ServeUsage>(parsed).message;
  const auto& c = std::get<ServeConfig>(parsed);
  // The example documents the defaults in code.
  const ServeConfig defaults;
  EXPECT_EQ(c.schedule.schedule, defaults.schedule.schedule);
  EXPECT_EQ(c.schedule.retry_delay, defaults.schedule.retry_delay);
  EXPECT_EQ(c.schedule.rechecks, defaults.schedule.rechecks);
  EXPECT_EQ(c.schedule.resume_on_start, defaults.schedule.resume_on_start);
  EXPECT_EQ(c.keep_evidence_days, defaults.keep_evidence_days);
  EXPECT_EQ(c.access.public_overview, defaults.access.public_overview);
  EXPECT_EQ(c.access.session_idle_minutes, defaults.access.session_idle_minutes);
  EXPECT_EQ(c.access.session_max_hours, defaults.access.session_max_hours);
  EXPECT_EQ(c.self_check.agency_rate_per_minute, defaults.self_check.agency_rate_per_minute);
}

TEST(ServeConfigAccess, ReadsTheAccessKeysSecureByDefault) {
  TempDir dir;
  const auto defaults = std::get<ServeConfig>(parseServeArguments({}));
  EXPECT_FALSE(defaults.access.public_overview);
  EXPECT_TRUE(defaults.access.metrics_token_sha256.empty());
  EXPECT_EQ(defaults.access.session_idle_minutes, 30);
  EXPECT_EQ(defaults.access.session_max_hours, 12);
  const std::string hash(64, 'a');
  const auto ini = writeIni(dir, "a.ini",
                            "[access]\npublic_overview = true\nmetrics_token_sha256 = " + hash +
                                "\nsession_idle_minutes = 5\nsession_max_hours = 2\n"
                                "[selfcheck]\nagency_rate_per_minute = 60\n");
  const auto c = std::get<ServeConfig>(parseServeArguments({"--config", ini}));
  EXPECT_TRUE(c.access.public_overview);
  EXPECT_EQ(c.access.metrics_token_sha256, std::vector<std::string>{hash});
  EXPECT_EQ(c.access.session_idle_minutes, 5);
  EXPECT_EQ(c.access.session_max_hours, 2);
  EXPECT_EQ(c.self_check.agency_rate_per_minute, 60);
  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {"[access]\npublic_overview = perhaps\n", "access.public_overview"},
           {"[access]\nmetrics_token_sha256 = abc\n", "access.metrics_token_sha256"},
           {"[access]\nsession_idle_minutes = 0\n", "access.session_idle_minutes"}}) {
    auto parsed = parseServeArguments({"--config", writeIni(dir, "bad.ini", text)});
    ASSERT_TRUE(std::holds_alternative<ServeUsage>(parsed)) << text;
    EXPECT_NE(std::get<ServeUsage>(parsed).message.find(key), std::string::npos)
        << std::get<ServeUsage>(parsed).message;
  }
}

TEST(ServeConfigStore, ReadsTheEvidenceRetention) {
  TempDir dir;
  EXPECT_EQ(std::get<ServeConfig>(parseServeArguments({})).keep_evidence_days, 90);
  const auto ini = writeIni(dir, "k.ini", "[store]\nkeep_evidence_days = 30\n");
  EXPECT_EQ(std::get<ServeConfig>(parseServeArguments({"--config", ini})).keep_evidence_days, 30);
  const auto bad = writeIni(dir, "b.ini", "[store]\nkeep_evidence_days = -1\n");
  auto parsed = parseServeArguments({"--config", bad});
  ASSERT_TRUE(std::holds_alternative<ServeUsage>(parsed));
  EXPECT_NE(std::get<ServeUsage>(parsed).message.find("store.keep_evidence_days"),
            std::string::npos);
}

}  // namespace
}  // namespace mh::service::http
