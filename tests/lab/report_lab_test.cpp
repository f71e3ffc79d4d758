// Lab test of `mailhygiene report`: two national runs with a zone changed in between show the
// change and the regression in the history and trend CSVs; the national CSV is Excel-ready, on
// stdout too; the XLSX files hold the CSVs' rows.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "reports/report_model.hpp"
#include "tests/lab/knot_lab.hpp"
#include "tests/lab/run_program.hpp"
#include "tests/support/csv_reader.hpp"
#include "tests/support/xlsx_reader.hpp"

extern char** environ;

namespace mh::lab {
namespace {

#ifdef MH_CLI_PATH

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/mh-report-test.XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

// Runs the CLI with stdout and stderr to `log`; returns its exit status.
int runCli(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> argv = {MH_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, MH_CLI_PATH, &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

using testing_support::readCsv;

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

const std::vector<std::string>* rowOf(const std::vector<std::vector<std::string>>& rows,
                                      std::size_t col, const std::string& value) {
  for (const auto& r : rows)
    if (r.size() > col && r[col] == value) return &r;
  return nullptr;
}

class ReportLab : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream list(dir_.path / "domains.csv");
    list << "domain,agency_vi,agency_en,category,group\n"
         << "good.lab.test,Bộ Thử nghiệm Điện tử,Ministry of Testing,ministry,Chính phủ\n"
         << "null-mx.lab.test,\"Sở Lưu trữ, Hà Nội\",Archive Department,province,Tỉnh/thành\n"
         << "dmarc-none.lab.test,Cục Giám sát,Monitoring Agency,agency,Cơ quan\n";
  }

  // Audits the list against a knotd serving `zones`; returns the CLI's exit status.
  int audit(const fs::path& zones, const std::string& log) {
    KnotLabOptions options;
    options.zone_dir = zones;
    KnotLab lab(options);
    // --no-dnssec: the lab's root is unsigned, so DNSSEC-01 would be an error (re-checked) for
    // every domain; here only the regression should be re-checked.
    return runCli(
        {"audit", "--domains", (dir_.path / "domains.csv").string(), "--db", db(), "--no-smtp",
         "--no-dnssec", "--psl", std::string(MH_LAB_DIR) + "/public_suffix_list.dat", "--threads",
         "2", "--resolver", "127.0.0.1:" + std::to_string(lab.port())},
        dir_.path / log);
  }

  std::string db() const { return (dir_.path / "report.db").string(); }

  int report(std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), {"report", "--db", db(), "--output", (dir_.path / name).string()});
    return runCli(args, dir_.path / (name + ".log"));
  }

  TempDir dir_;
};

TEST_F(ReportLab, AZoneChangedBetweenRunsShowsInHistoryTrendAndNationalCsv) {
  // Run 1 on the lab's zones; run 2 with good.lab.test's DMARC policy weakened to p=none.
  const fs::path changed = dir_.path / "zones";
  fs::copy(zoneDir(), changed, fs::copy_options::recursive);
  {
    const fs::path zone = changed / "good.lab.test.zone";
    std::string text = readFile(zone);
    const std::string from = "v=DMARC1; p=reject;";
    ASSERT_NE(text.find(from), std::string::npos);
    text.replace(text.find(from), from.size(), "v=DMARC1; p=none;");
    std::ofstream(zone, std::ios::binary | std::ios::trunc) << text;
  }
  ASSERT_EQ(audit(zoneDir(), "audit1.log"), 0) << readFile(dir_.path / "audit1.log");
  ASSERT_EQ(audit(changed, "audit2.log"), 0) << readFile(dir_.path / "audit2.log");
  EXPECT_NE(readFile(dir_.path / "audit2.log").find("run 2 complete"), std::string::npos)
      << readFile(dir_.path / "audit2.log");
  // Run 1 had nothing to regress from; in run 2 only the weakened domain was looked at twice.
  EXPECT_NE(readFile(dir_.path / "audit1.log").find(" 0 re-checked,"), std::string::npos)
      << readFile(dir_.path / "audit1.log");
  EXPECT_NE(readFile(dir_.path / "audit2.log").find(" 1 re-checked,"), std::string::npos)
      << readFile(dir_.path / "audit2.log");

  // History: both runs, DMARC-02 pass then fail, the regression and the record change.
  ASSERT_EQ(report({"--kind", "history", "--domain", "good.lab.test"}, "history.csv"), 0)
      << readFile(dir_.path / "history.csv.log");
  const auto history = readCsv(readFile(dir_.path / "history.csv"));
  ASSERT_EQ(history.size(), 3u) << readFile(dir_.path / "history.csv");
  const auto& h = history[0];
  EXPECT_EQ(history[1][column(h, "run_id")], "1");
  EXPECT_EQ(history[2][column(h, "run_id")], "2");
  EXPECT_EQ(history[1][column(h, "DMARC-02")], "pass");
  EXPECT_EQ(history[2][column(h, "DMARC-02")], "fail");
  const std::string regressions = history[2][column(h, "regressions")];
  // The run re-checked the domain before reporting: the regression is confirmed.
  EXPECT_NE(regressions.find("DMARC-02 pass->fail (run 1->2, confirmed by attempt 2 of run 2"),
            std::string::npos)
      << regressions;
  const std::string changes = history[2][column(h, "changes")];
  EXPECT_NE(changes.find("_dmarc.good.lab.test TXT: \"v=DMARC1; p=reject;"), std::string::npos)
      << changes;
  EXPECT_NE(changes.find("-> \"v=DMARC1; p=none;"), std::string::npos) << changes;
  EXPECT_EQ(history[1][column(h, "changes")], "");
  EXPECT_NE(regressions.find(changes), std::string::npos) << "the change explains the regression";

  // Trend: a score per run, the drop and the regression.
  ASSERT_EQ(report({"--kind", "trend"}, "trend.csv"), 0) << readFile(dir_.path / "trend.csv.log");
  const auto trend = readCsv(readFile(dir_.path / "trend.csv"));
  ASSERT_EQ(trend.size(), 4u) << readFile(dir_.path / "trend.csv");
  const auto& t = trend[0];
  const auto* good = rowOf(trend, 0, "good.lab.test");
  ASSERT_TRUE(good);
  const double before = std::stod((*good)[column(t, "run_1")]);
  const double after = std::stod((*good)[column(t, "run_2")]);
  EXPECT_LT(after, before);
  EXPECT_EQ((*good)[column(t, "regressions")], "1");
  EXPECT_EQ((*good)[column(t, "unconfirmed_regressions")], "0");
  EXPECT_NE((*good)[column(t, "regression_details")].find("DMARC-02 pass->fail"),
            std::string::npos);
  const auto* parked = rowOf(trend, 0, "null-mx.lab.test");
  ASSERT_TRUE(parked);
  EXPECT_EQ((*parked)[column(t, "regressions")], "0");

  // National (the default kind, latest complete run): Excel-ready bytes, a row per domain.
  ASSERT_EQ(report({}, "national.csv"), 0) << readFile(dir_.path / "national.csv.log");
  const std::string national = readFile(dir_.path / "national.csv");
  EXPECT_TRUE(
      national.starts_with("\xEF\xBB\xBF"
                           "domain,agency_vi,agency_en,category,group,"));
  EXPECT_FALSE(std::regex_search(national, std::regex("[^\r]\n"))) << "every line ends in CRLF";
  const auto rows = readCsv(national);
  ASSERT_EQ(rows.size(), 4u) << national;
  const auto& n = rows[0];
  const auto* goodRow = rowOf(rows, 0, "good.lab.test");
  ASSERT_TRUE(goodRow);
  EXPECT_EQ((*goodRow)[column(n, "agency_vi")], "Bộ Thử nghiệm Điện tử");
  EXPECT_EQ((*goodRow)[column(n, "run_id")], "2");
  EXPECT_EQ((*goodRow)[column(n, "dmarc_policy")], "none");
  EXPECT_EQ((*goodRow)[column(n, "spf_policy")], "hardfail");
  EXPECT_EQ((*goodRow)[column(n, "dkim_found")], "yes");
  const std::string tier = (*goodRow)[column(n, "tier")];
  EXPECT_FALSE(tier.empty());
  EXPECT_EQ((*goodRow)[column(n, "tier_vi")], reports::tierLabelVi(tier));
  const auto* archive = rowOf(rows, 0, "null-mx.lab.test");
  ASSERT_TRUE(archive);
  EXPECT_EQ((*archive)[column(n, "agency_vi")], "Sở Lưu trữ, Hà Nội");
  EXPECT_EQ((*archive)[column(n, "profile")], "none");
  EXPECT_EQ((*archive)[column(n, "tier_vi")], reports::tierLabelVi((*archive)[column(n, "tier")]));

  // Run 1 on demand, and the other kinds write.
  ASSERT_EQ(report({"--run", "1"}, "run1.csv"), 0);
  const auto run1 = readCsv(readFile(dir_.path / "run1.csv"));
  ASSERT_EQ(run1.size(), 4u);
  EXPECT_EQ((*rowOf(run1, 0, "good.lab.test"))[column(n, "dmarc_policy")], "reject");
  EXPECT_EQ(report({"--kind", "matrix"}, "matrix.csv"), 0);
  EXPECT_EQ(readCsv(readFile(dir_.path / "matrix.csv")).size(), 4u);
  EXPECT_EQ(report({"--kind", "groups"}, "groups.csv"), 0);
  EXPECT_EQ(readCsv(readFile(dir_.path / "groups.csv")).size(), 1u + 3 + 3 * 3);
  EXPECT_EQ(report({"--kind", "regressions"}, "regressions.csv"), 0);
  EXPECT_EQ(readCsv(readFile(dir_.path / "regressions.csv")).size(), 2u)
      << readFile(dir_.path / "regressions.csv");

  // Usage errors exit 2.
  EXPECT_EQ(report({"--run", "99"}, "bad1.csv"), 2);
  EXPECT_EQ(report({"--kind", "history", "--domain", "unknown.lab.test"}, "bad2.csv"), 2);
  EXPECT_EQ(report({"--kind", "history"}, "bad3.csv"), 2);
  EXPECT_EQ(report({"--kind", "pie"}, "bad4.csv"), 2);
  EXPECT_EQ(runCli({"report", "--db", (dir_.path / "missing.db").string()}, dir_.path / "bad5.log"),
            2);
  EXPECT_EQ(report({"--format", "xls"}, "bad6.csv"), 2);
  EXPECT_EQ(runCli({"report", "--db", db(), "--format", "xlsx"}, dir_.path / "bad7.log"), 2)
      << "a workbook needs --output";
}

// `mailhygiene report --db PATH > out.csv`: stdout is the report alone, from the BOM on (the
// store's log line and any note go to stderr); every kind as --format xlsx holds its CSV's rows.
TEST_F(ReportLab, StdoutIsTheReportAloneAndEveryXlsxHasItsCsvRows) {
  ASSERT_EQ(audit(zoneDir(), "audit.log"), 0) << readFile(dir_.path / "audit.log");

  const auto run = runProgram({MH_CLI_PATH, "report", "--db", db()});
  ASSERT_EQ(run.exit_status, 0) << run.err;
  EXPECT_TRUE(
      run.out.starts_with("\xEF\xBB\xBF"
                          "domain,agency_vi,"))
      << run.out.substr(0, 200);
  EXPECT_NE(run.err.find("store opened"), std::string::npos) << "the log is on stderr: " << run.err;
  ASSERT_EQ(report({}, "national.csv"), 0);
  EXPECT_EQ(run.out, readFile(dir_.path / "national.csv")) << "stdout and --output agree";

  const std::vector<std::vector<std::string>> kinds = {
      {},
      {"--kind", "matrix"},
      {"--kind", "groups", "--group-by", "group"},
      {"--kind", "trend"},
      {"--kind", "regressions"},
      {"--kind", "history", "--domain", "good.lab.test"}};
  for (const auto& kind : kinds) {
    const std::string name = kind.empty() ? "national" : kind[1];
    SCOPED_TRACE(name);
    ASSERT_EQ(report(kind, name + ".csv"), 0) << readFile(dir_.path / (name + ".csv.log"));
    auto args = kind;
    args.insert(args.end(), {"--format", "xlsx"});
    ASSERT_EQ(report(args, name + ".xlsx"), 0) << readFile(dir_.path / (name + ".xlsx.log"));
    const auto csv = readCsv(readFile(dir_.path / (name + ".csv")));
    const auto sheet = testing_support::readXlsx(readFile(dir_.path / (name + ".xlsx")));
    EXPECT_EQ(testing_support::differences(csv, sheet), "");
    EXPECT_GE(sheet.rows.size(), name == "regressions" ? 1u : 2u) << "one run: no regression";
    EXPECT_TRUE(sheet.header_frozen);
  }

  // The national workbook: numeric scores, the Vietnamese agency names as written in domains.csv.
  const auto sheet = testing_support::readXlsx(readFile(dir_.path / "national.xlsx"));
  ASSERT_EQ(sheet.rows.size(), 4u);
  const auto& header = sheet.rows[0];
  std::vector<std::string> names;
  for (const auto& cell : header) names.push_back(cell.value);
  const std::size_t agency = column(names, "agency_vi"), score = column(names, "score");
  std::vector<std::string> agencies;
  for (std::size_t r = 1; r < sheet.rows.size(); ++r) {
    agencies.push_back(sheet.rows[r][agency].value);
    EXPECT_EQ(sheet.rows[r][score].kind, testing_support::XlsxCell::Kind::Number) << r;
    EXPECT_EQ(sheet.rows[r][score].format, "0.0");
  }
  std::sort(agencies.begin(), agencies.end());
  EXPECT_EQ(agencies, (std::vector<std::string>{"Bộ Thử nghiệm Điện tử", "Cục Giám sát",
                                                "Sở Lưu trữ, Hà Nội"}));
}

#endif

}  // namespace
}  // namespace mh::lab
