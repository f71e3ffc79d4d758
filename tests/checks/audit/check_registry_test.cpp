// Tests of checks/audit/check_registry.cpp and the audit's registrations: dependency order, no
// cycles, every need satisfied, honest declarations, and one registration per rubric check.
#include "checks/audit/check_registry.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "checks/core/rubric.hpp"
#include "checks/dkim/dkim_check.hpp"
#include "checks/dmarc/dmarc_check.hpp"
#include "checks/dnssec/dane_check.hpp"
#include "checks/dnssec/dnssec_check.hpp"
#include "checks/dnssec/trust_anchor.hpp"
#include "checks/hygiene/reverse_dns_check.hpp"
#include "checks/mta_sts/mta_sts_check.hpp"
#include "checks/mx/mx_check.hpp"
#include "checks/spf/spf_check.hpp"
#include "checks/tls/tls_check.hpp"
#include "checks/tlsrpt/tlsrpt_check.hpp"

namespace mh::audit {
namespace {

struct A {
  int value = 0;
};
struct B {
  int value = 0;
};
struct C {
  int value = 0;
};

// A source of T that needs `needs`, gathering T{1}.
template <class T>
EvidenceSource fake(std::string_view name, EvidenceTypes needs) {
  return source<T>(name, std::move(needs), nullptr, [](const GatherContext&) { return T{1}; });
}

std::vector<std::string_view> names(const CheckRegistry& r) {
  std::vector<std::string_view> out;
  for (const auto& s : r.sources()) out.push_back(s.name);
  return out;
}

// The names of the sources whose bits are set.
std::set<std::string_view> named(const CheckRegistry& r, std::uint64_t bits) {
  std::set<std::string_view> out;
  for (std::size_t i = 0; i < r.sources().size(); ++i)
    if (bits & (std::uint64_t{1} << i)) out.insert(r.sources()[i].name);
  return out;
}

CheckResult passing(const JudgeInput&) {
  return {};
}

TEST(CheckRegistry, SourcesComeAfterTheirNeedsAndOtherwiseInDeclarationOrder) {
  const CheckRegistry r({fake<C>("c", needs<A, B>()), fake<A>("a", {}), fake<B>("b", needs<A>())},
                        {});
  EXPECT_EQ(names(r), (std::vector<std::string_view>{"a", "b", "c"}));
  const CheckRegistry independent({fake<B>("b", {}), fake<A>("a", {})}, {});
  EXPECT_EQ(names(independent), (std::vector<std::string_view>{"b", "a"}));
}

TEST(CheckRegistry, ACycleIsRejected) {
  EXPECT_THROW(CheckRegistry({fake<A>("a", needs<B>()), fake<B>("b", needs<A>())}, {}),
               std::logic_error);
  EXPECT_THROW(CheckRegistry({fake<A>("a", needs<A>())}, {}), std::logic_error);
}

TEST(CheckRegistry, AnUnsatisfiedNeedIsRejected) {
  EXPECT_THROW(CheckRegistry({fake<A>("a", needs<B>())}, {}), std::logic_error);
  EXPECT_THROW(CheckRegistry({fake<A>("a", {})}, {{"X-01", needs<B>(), {}, &passing}}),
               std::logic_error);
  EXPECT_THROW(CheckRegistry({fake<A>("a", {})}, {{"X-01", needs<A>(), needs<C>(), &passing}}),
               std::logic_error);
}

TEST(CheckRegistry, TwoSourcesOfOneTypeOrOneCheckTwiceAreRejected) {
  EXPECT_THROW(CheckRegistry({fake<A>("a", {}), fake<A>("a2", {})}, {}), std::logic_error);
  EXPECT_THROW(CheckRegistry({fake<A>("a", {})}, {{"X-01", needs<A>(), {}, &passing},
                                                  {"X-01", needs<A>(), {}, &passing}}),
               std::logic_error);
}

TEST(CheckRegistry, ACheckRestsOnTheNeedsOfItsNeeds) {
  const CheckRegistry r(
      {fake<A>("a", {}), fake<B>("b", needs<A>()), fake<C>("c", {})},
      {{"X-01", needs<B>(), {}, &passing}, {"X-02", needs<C>(), needs<A>(), &passing}});
  EXPECT_EQ(named(r, r.sourceBits("X-01")), (std::set<std::string_view>{"a", "b"}));
  EXPECT_EQ(named(r, r.sourceBits("X-02")), (std::set<std::string_view>{"a", "c"}));
  EXPECT_EQ(r.sourceBits("NOPE-01"), ~std::uint64_t{0});
}

TEST(CheckRegistry, AStepReadsOnlyWhatItDeclares) {
  EvidenceSet set;
  set.put(typeid(A), std::make_shared<const A>(A{7}));
  set.put(typeid(B), std::make_shared<const B>(B{8}));
  const EvidenceTypes declaredNeeds = needs<A>();
  const EvidenceTypes declaredUses = needs<C>();
  const EvidenceView view(set, "X-01", declaredNeeds, declaredUses);
  EXPECT_EQ(view.need<A>().value, 7);
  EXPECT_EQ(view.use<C>(), nullptr);               // declared, not gathered
  EXPECT_THROW(view.need<B>(), std::logic_error);  // there, but not declared
  EXPECT_THROW(view.use<A>(), std::logic_error);   // a need, not an optional input
}

// The audit's own registrations.

TEST(CheckRegistry, TheAuditsSourcesAreGatheredAsBeforeTheRegistry) {
  EXPECT_EQ(names(checkRegistry()),
            (std::vector<std::string_view>{"mx", "spf", "dmarc", "dkim", "profile", "mta_sts",
                                           "tlsrpt", "reverse_dns", "tls", "dnssec", "dane"}));
}

// The sources each check rests on are what the budget cuts it by (AUDIT_BUDGET_EXHAUSTED).
TEST(CheckRegistry, TheAuditsChecksRestOnTheirAreasAndOtherAreasEvidence) {
  const CheckRegistry& r = checkRegistry();
  const std::set<std::string_view> profile = {"mx", "spf", "dmarc", "dkim", "profile"};
  auto with = [&](std::set<std::string_view> extra) {
    extra.insert(profile.begin(), profile.end());
    return extra;
  };
  EXPECT_EQ(named(r, r.sourceBits("MX-01")), (std::set<std::string_view>{"mx"}));
  EXPECT_EQ(named(r, r.sourceBits("SPF-01")), (std::set<std::string_view>{"spf"}));
  EXPECT_EQ(named(r, r.sourceBits("SPF-02")), (std::set<std::string_view>{"spf", "dmarc"}));
  EXPECT_EQ(named(r, r.sourceBits("DMARC-02")), (std::set<std::string_view>{"dmarc"}));
  EXPECT_EQ(named(r, r.sourceBits("DMARC-04")), with({}));
  EXPECT_EQ(named(r, r.sourceBits("DKIM-01")), with({}));
  EXPECT_EQ(named(r, r.sourceBits("TLS-03")), with({"tls"}));
  EXPECT_EQ(named(r, r.sourceBits("MTASTS-01")), with({"mta_sts", "tls"}));
  EXPECT_EQ(named(r, r.sourceBits("TLSRPT-01")), with({"tlsrpt"}));
  EXPECT_EQ(named(r, r.sourceBits("DNSSEC-01")), (std::set<std::string_view>{"dnssec", "mx"}));
  EXPECT_EQ(named(r, r.sourceBits("DANE-01")), with({"dane", "tls"}));
  EXPECT_EQ(named(r, r.sourceBits("HYG-01")), with({"reverse_dns"}));
}

TEST(CheckRegistry, TransportAndDnssecChecksRunOnlyWhenTheirSourcesDo) {
  const CheckRegistry& r = checkRegistry();
  AuditOptions dnsOnly;
  std::vector<std::string_view> run;
  for (const auto& c : r.checks())
    if (r.runs(c, dnsOnly)) run.push_back(c.id);
  EXPECT_EQ(run, (std::vector<std::string_view>{"MX-01", "SPF-01", "SPF-02", "SPF-03", "DMARC-01",
                                                "DMARC-02", "DMARC-03", "DMARC-04", "DKIM-01",
                                                "DKIM-02", "MTASTS-01", "TLSRPT-01", "HYG-01"}));
  // With trust anchors but a resolver that strips DNSSEC, DNSSEC-01 and DANE-01 run, judged by
  // their source's run-level error instead of gathered.
  std::string error;
  const auto anchors = dnssec::TrustAnchors::parse(
      ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n",
      error);
  ASSERT_TRUE(anchors) << error;
  AuditOptions stripped;
  stripped.trust_anchors = &*anchors;
  stripped.dnssec_unavailable = "the resolver strips RRSIG";
  for (std::string_view id : {"DNSSEC-01", "DANE-01"}) {
    const CheckRegistration* c = r.findCheck(id);
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(r.runs(*c, stripped)) << id;
    std::string reason;
    const EvidenceSource* withheld = r.withholder(*c, stripped, reason);
    ASSERT_NE(withheld, nullptr) << id;
    EXPECT_EQ(reason, "the resolver strips RRSIG");
    const CheckResult result = withheld->unavailable(id, reason);
    EXPECT_EQ(result.id, id);
    EXPECT_EQ(result.status, Status::Error);
  }
  std::string reason;
  EXPECT_EQ(r.withholder(*r.findCheck("MX-01"), stripped, reason), nullptr);
}

// Every judge reads only the evidence it declares (the view throws otherwise), on the evidence
// of a domain with nothing published.
TEST(CheckRegistry, EveryJudgeOfTheAuditReadsOnlyWhatItDeclares) {
  EvidenceSet set;
  auto put = [&](auto value) {
    using E = decltype(value);
    set.put(typeid(E), std::make_shared<const E>(std::move(value)));
  };
  put(mx::MxEvidence{});
  put(spf::SpfEvidence{});
  put(dmarc::DmarcEvidence{});
  put(dkim::DkimEvidence{});
  put(DomainProfile{});
  put(mta_sts::MtaStsEvidence{});
  put(tlsrpt::TlsRptEvidence{});
  put(hygiene::ReverseDnsEvidence{});
  put(tls::TlsEvidence{});
  put(dnssec::DnssecEvidence{});
  put(dnssec::DaneEvidence{});
  for (const auto& s : checkRegistry().sources())
    EXPECT_NE(checkRegistry().findSource(s.type), nullptr);
  for (const auto& c : checkRegistry().checks()) {
    CheckResult result;
    EXPECT_NO_THROW(result = c.judge({EvidenceView(set, c.id, c.needs, c.uses), {}})) << c.id;
    EXPECT_EQ(result.id, c.id);
  }
}

// The registry and the rubric agree: a rubric check that runs has exactly one registration, one
// that does not run (ACC-01 until its check lands) has none, and every registration has a rubric
// entry and a spec (docs/checks/<ID>.md). The registry reports in rubric order.
TEST(CheckRegistry, EveryRubricCheckThatRunsIsRegisteredOnceAndNoOtherIs) {
  const CheckRegistry& r = checkRegistry();
  for (const auto& entry : rubric()) {
    std::size_t registrations = 0;
    for (const auto& c : r.checks()) registrations += c.id == entry.id;
    EXPECT_EQ(registrations, entry.runs ? 1u : 0u) << entry.id;
  }
  std::size_t previous = 0;
  for (const auto& c : r.checks()) {
    const RubricEntry* entry = findRubricEntry(c.id);
    ASSERT_NE(entry, nullptr) << c.id << " is registered but not in the rubric";
    EXPECT_TRUE(entry->runs) << c.id << " is registered: its rubric entry says runs = false";
    const std::size_t index = static_cast<std::size_t>(entry - rubric().data());
    EXPECT_GE(index, previous) << c.id << " is out of rubric order";
    previous = index;
    const auto spec =
        std::filesystem::path(MH_SOURCE_DIR) / "docs" / "checks" / (std::string(c.id) + ".md");
    EXPECT_TRUE(std::filesystem::is_regular_file(spec)) << spec;
  }
}

}  // namespace
}  // namespace mh::audit
