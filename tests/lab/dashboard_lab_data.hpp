// Data for the dashboard's lab and browser tests: two national runs of a small lab registry into
// one database, started over HTTP, the second with good.lab.test's DMARC weakened to p=none.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "service/http/admin_tokens.hpp"
#include "tests/lab/knot_lab.hpp"
#include "tests/service/http/http_test_support.hpp"

namespace mh::lab {

// Registry rows (domain,group) for TestServer: several tiers over three groups.
inline const std::vector<std::string> kDashboardDomains = {
    "good.lab.test,Bộ ngành",
    "dmarc-quarantine.lab.test,Bộ ngành",
    "dmarc-none.lab.test,Tỉnh thành",
    "spf-plus-all.lab.test,Tỉnh thành",
    "spf-softfail-no-dmarc.lab.test,Doanh nghiệp",
    "null-mx.lab.test,Doanh nghiệp",
};
inline constexpr const char* kDashboardAdminToken = "dashboard-lab-token-of-at-least-32-characters";

inline std::vector<std::string> dashboardScanner(std::uint16_t dns_port) {
  // Without SMTP, and without DNSSEC (the lab zones are unsigned under the real root's anchor,
  // which would leave every domain in error and its run waiting for the delayed re-check).
  return {"--resolver", "127.0.0.1:" + std::to_string(dns_port),
          "--no-smtp",  "--no-dnssec",
          "--psl",      std::string(MH_LAB_DIR) + "/public_suffix_list.dat"};
}

class DashboardLabData {
 public:
  // Runs both national runs; throws std::runtime_error when one does not complete.
  DashboardLabData() {
    const auto changed = dir_.path / "zones";
    std::filesystem::copy(zoneDir(), changed, std::filesystem::copy_options::recursive);
    const auto zone = changed / "good.lab.test.zone";
    std::string text;
    {
      std::ifstream in(zone, std::ios::binary);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const std::string from = "v=DMARC1; p=reject;";
    if (text.find(from) == std::string::npos)
      throw std::runtime_error("good.lab.test.zone has no " + from);
    text.replace(text.find(from), from.size(), "v=DMARC1; p=none;");
    std::ofstream(zone, std::ios::binary | std::ios::trunc) << text;

    nationalRun(zoneDir());
    nationalRun(changed);
  }

  std::string db() const { return (dir_.path / "dashboard.db").string(); }

 private:
  void nationalRun(const std::filesystem::path& zones) {
    KnotLabOptions options;
    options.zone_dir = zones;
    KnotLab lab(options);
    service::http::testing::TestServer server(
        kDashboardDomains, dashboardScanner(lab.port()), [this](service::http::ServeConfig& c) {
          c.db = db();
          c.admin_token_sha256 = {service::http::sha256Hex(kDashboardAdminToken)};
        });
    auto started = server.post("/api/v1/runs", "",
                               {{"Authorization", std::string("Bearer ") + kDashboardAdminToken}});
    if (started.status != 202) throw std::runtime_error("run not started: " + started.body);
    const auto id = Poco::JSON::Parser()
                        .parse(started.body)
                        .extract<Poco::JSON::Object::Ptr>()
                        ->getValue<std::int64_t>("run_id");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(50);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = server.get("/api/v1/runs/" + std::to_string(id));
      const auto state = Poco::JSON::Parser()
                             .parse(r.body)
                             .extract<Poco::JSON::Object::Ptr>()
                             ->getValue<std::string>("state");
      if (state == "complete") return;
      if (state != "running") throw std::runtime_error("run ended " + state + ": " + r.body);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("run " + std::to_string(id) + " did not complete in 50 s");
  }

  service::http::testing::TempDir dir_;
};

}  // namespace mh::lab
