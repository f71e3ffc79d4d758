// Runs an OpenSPF YAML test suite (rfc7208-tests.yml, rfc4408-tests.yml) through check_host().
// Conventions (shared/testdata/SOURCES.md): owners are case-insensitive; SPF records are also
// served as TXT unless the name has its own TXT or "TXT: NONE"; TIMEOUT makes the name's other
// types time out; absent names are NXDOMAIN; YAML "\xNN" escapes are raw octets.
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "checks/dns/fixture_resolver.hpp"
#include "checks/spf/spf_eval.hpp"

namespace {

using mh::dns::DnsRecord;
using mh::dns::FixtureResolver;
namespace rr = mh::dns::rr;

struct Superseded {
  const char* test;
  const char* rfc7208;  // the results RFC 7208 allows, "|"-separated
  const char* reason;
};

// rfc4408-tests.yml cases where RFC 7208 narrowed what RFC 4408 accepted. They are not skipped:
// each is run and must give the RFC 7208 answer (which is always one of the RFC 4408 answers).
constexpr Superseded kRfc4408Superseded[] = {
    {"spfoverride", "fail",
     "RFC 7208 §3.1/§4.4: the SPF RR type is not queried; the TXT record decides"},
    {"multispf2", "pass",
     "RFC 7208 §4.4: type-99 records are ignored; the single TXT record is used"},
    {"spfonly", "none", "RFC 7208 §4.4: a type-99 record without a TXT record means no record"},
    {"txtonly", "fail", "RFC 7208 §4.4: TXT is the only record type consulted"},
    {"multitxt1", "permerror", "RFC 7208 §4.5: two v=spf1 TXT records are a permerror"},
    {"spftimeout", "fail", "RFC 7208 §4.4: a timeout of the (unused) type-99 query is irrelevant"},
    {"txttimeout", "temperror", "RFC 7208 §4.4: the TXT query timing out is a temperror"},
    {"nospftxttimeout", "temperror", "RFC 7208 §4.4: the TXT query timing out is a temperror"},
    {"cidr6-0-ip4", "neutral", "RFC 7208 §5 (5/9/2): an IPv4 client matches only ip4 mechanisms"},
    {"cidr6-ip4", "neutral",
     "RFC 7208 §5 (5/9/2): an IPv4-mapped IPv6 client is IPv4 and matches only ip4 mechanisms"},
    {"exists-dnserr", "temperror", "RFC 7208 §5 (5/8), §2.6.6: a DNS error is a temperror"},
    {"mx-limit", "permerror", "RFC 7208 §4.6.4: more than 10 MX records is a permerror"},
};

// yaml-cpp decodes "\xNN" to the code point U+00NN in UTF-8; the suite means the octet NN.
std::string rawOctets(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto b0 = static_cast<unsigned char>(s[i]);
    if ((b0 == 0xC2 || b0 == 0xC3) && i + 1 < s.size()) {
      auto b1 = static_cast<unsigned char>(s[i + 1]);
      if ((b1 & 0xC0) == 0x80) {
        out.push_back(static_cast<char>(((b0 & 0x1F) << 6) | (b1 & 0x3F)));
        ++i;
        continue;
      }
    }
    out.push_back(static_cast<char>(b0));
  }
  return out;
}

std::string scalar(const YAML::Node& n) {
  return n && n.IsScalar() ? rawOctets(n.Scalar()) : "";
}

void loadZone(const YAML::Node& zonedata, FixtureResolver& fixture) {
  if (!zonedata || !zonedata.IsMap()) return;
  for (const auto& entry : zonedata) {
    std::string owner = scalar(entry.first);
    bool hasTxt = false;
    std::vector<DnsRecord> spf;
    for (const auto& item : entry.second) {
      if (item.IsScalar()) {
        if (item.Scalar() == "TIMEOUT") fixture.setNameOutcome(owner, mh::dns::DnsStatus::Timeout);
        continue;
      }
      for (const auto& kv : item) {
        std::string type = kv.first.Scalar();
        const YAML::Node& v = kv.second;
        DnsRecord r;
        r.owner = owner;
        if (type == "A" || type == "AAAA") {
          r.type = type == "A" ? rr::A : rr::AAAA;
          r.data = scalar(v);
        } else if (type == "PTR" || type == "CNAME") {
          r.type = type == "PTR" ? rr::PTR : rr::CNAME;
          r.data = mh::dns::normaliseName(scalar(v));
        } else if (type == "MX") {
          r.type = rr::MX;
          r.preference = static_cast<std::uint16_t>(v[0].as<int>());
          std::string exchange = mh::dns::normaliseName(scalar(v[1]));
          r.data = exchange.empty() ? "." : exchange;
        } else if (type == "TXT" || type == "SPF") {
          r.type = type == "TXT" ? rr::TXT : rr::SPF;
          if (type == "TXT") hasTxt = true;
          if (v.IsScalar()) {
            if (type == "TXT" && v.Scalar() == "NONE") continue;
            r.strings.push_back(scalar(v));
          } else {
            for (const auto& s : v) r.strings.push_back(scalar(s));
          }
          if (type == "SPF") spf.push_back(r);
        } else {
          std::fprintf(stderr, "unknown zonedata type %s at %s\n", type.c_str(), owner.c_str());
          continue;
        }
        fixture.add(r);
      }
    }
    if (!hasTxt) {
      for (auto r : spf) {
        r.type = rr::TXT;
        fixture.add(std::move(r));
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // --all judges rfc4408-tests.yml by its own expectations only (no RFC 7208 narrowing).
  const bool runAll = argc == 3 && std::string(argv[1]) == "--all";
  if (argc != 2 && !runAll) {
    std::fprintf(stderr, "usage: %s [--all] <suite.yml>\n", argv[0]);
    return 2;
  }
  const std::string path = argv[argc - 1];
  const bool rfc4408 = !runAll && std::filesystem::path(path).filename() == "rfc4408-tests.yml";
  std::map<std::string, const Superseded*> superseded;
  if (rfc4408)
    for (const auto& s : kRfc4408Superseded) superseded[s.test] = &s;

  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAllFromFile(path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cannot load %s: %s\n", path.c_str(), e.what());
    return 2;
  }

  int passed = 0, failed = 0, supersededCount = 0;
  for (const auto& doc : docs) {
    if (!doc || !doc.IsMap() || !doc["tests"]) continue;
    FixtureResolver fixture;
    loadZone(doc["zonedata"], fixture);
    for (const auto& t : doc["tests"]) {
      const std::string name = t.first.Scalar();
      const YAML::Node& c = t.second;
      std::set<std::string> expected;
      if (c["result"].IsSequence()) {
        for (const auto& r : c["result"]) expected.insert(r.Scalar());
      } else {
        expected.insert(c["result"].Scalar());
      }
      if (auto it = superseded.find(name); it != superseded.end()) {
        std::string narrowed = it->second->rfc7208;
        std::printf("SUPERSEDED %s: expecting %s (%s)\n", name.c_str(), narrowed.c_str(),
                    it->second->reason);
        expected.clear();
        for (std::size_t pos = 0; pos <= narrowed.size();) {
          std::size_t bar = narrowed.find('|', pos);
          if (bar == std::string::npos) bar = narrowed.size();
          expected.insert(narrowed.substr(pos, bar - pos));
          pos = bar + 1;
        }
        ++supersededCount;
      }
      const std::string helo = scalar(c["helo"]);
      const std::string mailfrom = scalar(c["mailfrom"]);
      const std::string host = scalar(c["host"]);
      std::string domain = mailfrom.empty() ? helo : mailfrom.substr(mailfrom.rfind('@') + 1);

      auto ip = mh::spf::IpAddress::parse(host, true);
      if (!ip) {
        std::printf("FAIL %s: cannot parse host %s\n", name.c_str(), host.c_str());
        ++failed;
        continue;
      }
      mh::spf::SpfEvaluation ev = mh::spf::checkHost(fixture, *ip, domain, mailfrom, helo);
      std::string got(mh::spf::toString(ev.result));
      bool ok = expected.count(got) > 0;
      std::string wantExp = c["explanation"] ? scalar(c["explanation"]) : "";
      if (ok && c["explanation"] && ev.explanation != wantExp) ok = false;
      if (ok) {
        ++passed;
        continue;
      }
      ++failed;
      std::string want;
      for (const auto& e : expected) want += (want.empty() ? "" : "|") + e;
      std::printf("FAIL %s (spec %s): expected %s, got %s", name.c_str(),
                  c["spec"].IsScalar() ? c["spec"].Scalar().c_str() : "?", want.c_str(),
                  got.c_str());
      if (c["explanation"])
        std::printf("; explanation expected \"%s\", got \"%s\"", wantExp.c_str(),
                    ev.explanation.c_str());
      std::printf("\n  lookups=%d voids=%d tree=%s\n", ev.lookups, ev.void_lookups,
                  mh::spf::toJson(ev.tree).dump().c_str());
    }
  }
  if (supersededCount) std::printf("%d cases judged by their RFC 7208 answer\n", supersededCount);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
