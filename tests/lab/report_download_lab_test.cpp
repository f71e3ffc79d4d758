// Lab test of the CSV and XLSX downloads (/reports/...): two national runs of lab domains (a zone
// changed in between) into the server's store; every CSV download has the bytes of
// `mailhygiene report`, every XLSX download the rows of its CSV.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/cli/audit_command.hpp"
#include "service/cli/report_command.hpp"
#include "tests/lab/knot_lab.hpp"
#include "tests/service/http/http_test_support.hpp"
#include "tests/support/csv_reader.hpp"
#include "tests/support/xlsx_reader.hpp"

namespace mh::lab {
namespace {

namespace fs = std::filesystem;
using service::http::testing::HttpResult;
using service::http::testing::TestServer;
using testing_support::readCsv;

const std::vector<std::string> kDomains = {"good.lab.test,Chính phủ", "dmarc-none.lab.test,lab-b",
                                           "spf-plus-all.lab.test,lab-b",
                                           "null-mx.lab.test,Tỉnh/thành"};

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string errorCode(const HttpResult& r) {
  try {
    auto object = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
    return object->getObject("error")->getValue<std::string>("code");
  } catch (const std::exception&) {
    return "(not a JSON error: " + r.body.substr(0, 200) + ")";
  }
}

class ReportDownloadLab : public ::testing::Test {
 protected:
  // The server never audits here: its scanner points at a port nobody answers.
  ReportDownloadLab()
      : server_(kDomains, {"--no-smtp", "--resolver", "127.0.0.1:9", "--psl",
                           std::string(MH_LAB_DIR) + "/public_suffix_list.dat"}) {}

  fs::path db() const { return server_.dir().path / "serve.db"; }

  // A national run of the server's registry into its store, against knotd serving `zones`.
  void audit(const fs::path& zones) {
    KnotLabOptions options;
    options.zone_dir = zones;
    KnotLab lab(options);
    std::ostringstream out, err;
    const int status = service::runAuditCommand(
        {"--domains", (server_.dir().path / "domains.csv").string(), "--db", db().string(),
         "--no-smtp", "--psl", std::string(MH_LAB_DIR) + "/public_suffix_list.dat", "--threads",
         "2", "--resolver", "127.0.0.1:" + std::to_string(lab.port())},
        out, err);
    ASSERT_EQ(status, 0) << out.str() << err.str();
  }

  // What `mailhygiene report --db <the server's store> args...` writes to stdout.
  std::string cliReport(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db().string()});
    std::ostringstream out, err;
    EXPECT_EQ(service::runReportCommand(args, out, err), 0) << err.str();
    return out.str();
  }

  TestServer server_;
};

// The CLI arguments and the URL of the same report, its file name and its least row count.
struct Download {
  std::vector<std::string> cli;
  std::string path;
  std::string file_name;
  std::size_t min_rows;  // header included
};

TEST_F(ReportDownloadLab, EveryDownloadHasTheBytesOfTheCliExport) {
  auto none = server_.get("/reports/national.csv");
  EXPECT_EQ(none.status, 404) << none.body;
  EXPECT_EQ(errorCode(none), "no_complete_run");
  EXPECT_EQ(none.header("Content-Type"), "application/json; charset=utf-8");

  // Run 1 on the lab's zones; run 2 with good.lab.test's DMARC policy weakened to p=none.
  const fs::path changed = server_.dir().path / "zones";
  fs::copy(zoneDir(), changed, fs::copy_options::recursive);
  {
    const fs::path zone = changed / "good.lab.test.zone";
    std::string text = readFile(zone);
    const std::string from = "v=DMARC1; p=reject;";
    ASSERT_NE(text.find(from), std::string::npos);
    text.replace(text.find(from), from.size(), "v=DMARC1; p=none;");
    std::ofstream(zone, std::ios::binary | std::ios::trunc) << text;
  }
  ASSERT_NO_FATAL_FAILURE(audit(zoneDir()));
  ASSERT_NO_FATAL_FAILURE(audit(changed));

  const std::vector<Download> downloads = {
      {{}, "/reports/national.csv", "mailhygiene-national-run2.csv", 5},
      {{"--run", "1"}, "/reports/runs/1/national.csv", "mailhygiene-national-run1.csv", 5},
      {{"--group", "Chính phủ"},
       "/reports/national.csv?group=Ch%C3%ADnh%20ph%E1%BB%A7",
       "mailhygiene-national-run2-chinh-phu.csv",
       2},
      {{"--kind", "matrix"}, "/reports/matrix.csv", "mailhygiene-matrix-run2.csv", 5},
      {{"--kind", "matrix", "--run", "1", "--group", "LAB-B"},
       "/reports/runs/1/matrix.csv?group=LAB-B",
       "mailhygiene-matrix-run1-lab-b.csv",
       3},
      {{"--kind", "groups"}, "/reports/groups.csv", "mailhygiene-groups-by-category-run2.csv", 7},
      {{"--kind", "groups", "--group-by", "group", "--run", "1"},
       "/reports/runs/1/groups.csv?by=group",
       "mailhygiene-groups-by-group-run1.csv",
       13},
      {{"--kind", "trend"}, "/reports/trend.csv", "mailhygiene-trend.csv", 5},
      {{"--kind", "trend", "--run", "1"},
       "/reports/runs/1/trend.csv",
       "mailhygiene-trend-to-run1.csv",
       5},
      {{"--kind", "regressions"}, "/reports/regressions.csv", "mailhygiene-regressions.csv", 2},
      {{"--kind", "regressions", "--run", "2", "--group", "Tỉnh/thành"},
       "/reports/runs/2/regressions.csv?group=T%E1%BB%89nh%2Fth%C3%A0nh",
       "mailhygiene-regressions-run2-tinh-thanh.csv",
       1},
      {{"--kind", "history", "--domain", "good.lab.test"},
       "/reports/domains/GOOD.lab.test./history.csv",
       "mailhygiene-history-good.lab.test.csv",
       3},
  };
  for (const auto& d : downloads) {
    SCOPED_TRACE(d.path);
    const std::string expected = cliReport(d.cli);
    const auto r = server_.get(d.path);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.body == expected) << "HTTP:\n" << r.body << "\nCLI:\n" << expected;
    EXPECT_TRUE(r.body.starts_with("\xEF\xBB\xBF")) << "a BOM for Excel";
    EXPECT_GE(readCsv(r.body).size(), d.min_rows) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_EQ(r.header("Content-Disposition"), "attachment; filename=\"" + d.file_name + "\"");
    EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.header("Cache-Control"), "no-store");

    // The same report as .xlsx beside it: the CSV's rows, numbers as numbers.
    std::string xlsxPath = d.path;
    xlsxPath.replace(xlsxPath.find(".csv"), 4, ".xlsx");
    const auto x = server_.get(xlsxPath);
    ASSERT_EQ(x.status, 200) << xlsxPath << " " << x.body.substr(0, 200);
    EXPECT_EQ(x.header("Content-Type"),
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_EQ(
        x.header("Content-Disposition"),
        "attachment; filename=\"" + d.file_name.substr(0, d.file_name.size() - 4) + ".xlsx\"");
    EXPECT_EQ(x.header("X-Content-Type-Options"), "nosniff");
    const auto sheet = testing_support::readXlsx(x.body);
    EXPECT_EQ(testing_support::differences(readCsv(r.body), sheet), "");
    EXPECT_TRUE(sheet.header_frozen);
  }
  // The regression of run 2 is in its download; none was found at run 1.
  EXPECT_NE(server_.get("/reports/runs/2/regressions.csv").body.find("good.lab.test"),
            std::string::npos);
  EXPECT_EQ(readCsv(server_.get("/reports/runs/1/regressions.csv").body).size(), 1u);

  auto index =
      Poco::JSON::Parser().parse(server_.get("/reports").body).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(index->getValue<int>("latest_complete_run"), 2);
  EXPECT_EQ(index->getArray("downloads")->size(), 6u);
  EXPECT_EQ(index->getArray("downloads")->getObject(0)->getValue<std::string>("latest_xlsx"),
            "/reports/national.xlsx");
}

TEST_F(ReportDownloadLab, BadRequestsAndMissingReportsAreJsonErrors) {
  ASSERT_NO_FATAL_FAILURE(audit(zoneDir()));
  const std::vector<std::tuple<std::string, int, std::string>> cases = {
      {"/reports/runs/abc/national.csv", 400, "invalid_run"},
      {"/reports/runs/0/matrix.csv", 400, "invalid_run"},
      {"/reports/runs/-1/groups.csv", 400, "invalid_run"},
      {"/reports/runs/99999999999999999999/trend.csv", 400, "invalid_run"},
      {"/reports/runs/99/national.csv", 404, "no_such_run"},
      {"/reports/runs/99/regressions.csv", 404, "no_such_run"},
      {"/reports/groups.csv?by=pie", 400, "invalid_group_by"},
      {"/reports/groups.csv?group=lab-b", 400, "group_not_applicable"},
      {"/reports/national.csv?group=nobody", 404, "no_such_group"},
      {"/reports/domains/not%20a%20domain/history.csv", 400, "invalid_domain"},
      {"/reports/domains/a%00b.lab.test/history.csv", 400, "invalid_domain"},
      {"/reports/domains/" + std::string(300, 'a') + ".vn/history.csv", 400, "invalid_domain"},
      {"/reports/domains/unknown.lab.test/history.csv", 404, "no_history"},
      {"/reports/pie.csv", 404, "not_found"},
      {"/reports/runs/abc/national.xlsx", 400, "invalid_run"},
      {"/reports/runs/99/trend.xlsx", 404, "no_such_run"},
      {"/reports/groups.xlsx?by=pie", 400, "invalid_group_by"},
      {"/reports/domains/unknown.lab.test/history.xlsx", 404, "no_history"},
      {"/reports/national.xls", 404, "not_found"},
  };
  for (const auto& [path, status, code] : cases) {
    const auto r = server_.get(path);
    EXPECT_EQ(r.status, status) << path << " " << r.body;
    EXPECT_EQ(errorCode(r), code) << path;
    EXPECT_EQ(r.header("Content-Type"), "application/json; charset=utf-8") << path;
    EXPECT_EQ(r.header("Content-Disposition"), "") << path;
  }
  EXPECT_EQ(server_.post("/reports/national.csv", "").status, 405);
  EXPECT_EQ(server_.get("/reports/national.csv").status, 200) << "the server still serves";
}

}  // namespace
}  // namespace mh::lab
