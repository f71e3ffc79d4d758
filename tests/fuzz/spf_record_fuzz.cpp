// Fuzz target: SPF record parsing, macro expansion and a check_host() run over a small fixture
// zone.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "checks/dns/fixture_resolver.hpp"
#include "checks/spf/spf_eval.hpp"
#include "checks/spf/spf_macro.hpp"
#include "checks/spf/spf_record.hpp"

namespace {

// The input is the record at fuzz.test; other names give includes, redirects and MX something to
// find. Records are added as DnsRecord values so any byte sequence can be served.
mh::dns::FixtureResolver makeZone(std::string_view record) {
  mh::dns::FixtureResolver f;
  auto txt = [&f](std::string owner, std::string text) {
    mh::dns::DnsRecord r;
    r.owner = std::move(owner);
    r.type = mh::dns::rr::TXT;
    r.strings.push_back(std::move(text));
    f.add(std::move(r));
  };
  txt("fuzz.test", std::string(record));
  txt("inc.fuzz.test", "v=spf1 ip4:192.0.2.0/24 include:fuzz.test ~all");
  txt("exp.fuzz.test", "%{i} %{c} %{r} %{t} %{p} rejected for %{d2}");
  f.addZone(R"(
    fuzz.test. 300 IN A 192.0.2.10
    fuzz.test. 300 IN MX 10 mx.fuzz.test.
    mx.fuzz.test. 300 IN A 192.0.2.11
    1.2.0.192.in-addr.arpa. 300 IN PTR mx.fuzz.test.
  )");
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.size() > 4096) return 0;

  auto parsed = mh::spf::parseSpfRecord(input);
  (void)parsed.record.hasAll();
  (void)mh::spf::checkDomainSpec(input);

  mh::spf::MacroContext ctx;
  ctx.sender = "user@fuzz.test";
  ctx.local_part = "user";
  ctx.sender_domain = "fuzz.test";
  ctx.domain = "fuzz.test";
  ctx.ip = *mh::spf::IpAddress::parse("2001:db8::1");
  ctx.helo = std::string(input.substr(0, 64));
  for (auto scope : {mh::spf::MacroScope::DomainSpec, mh::spf::MacroScope::Explanation}) {
    auto e = mh::spf::expandMacros(input, ctx, scope);
    if (e.ok) (void)mh::spf::toTargetName(e.value);
  }
  (void)mh::spf::IpAddress::parse(input.substr(0, 64), true);

  auto zone = makeZone(input);
  auto ip = mh::spf::IpAddress::parse("192.0.2.1");
  auto ev = mh::spf::checkHost(zone, *ip, "fuzz.test", "user@fuzz.test", "helo.fuzz.test");
  (void)mh::spf::toJson(ev.tree).dump();
  auto audit = mh::spf::auditSpf(zone, "fuzz.test");
  (void)audit.lookups;
  return 0;
}
