// Key facts from check evidence, and the small text forms shared by every report.
#include "reports/report_model.hpp"

#include <array>
#include <cstdio>

#include "checks/audit/scoring.hpp"

namespace mh::reports {

namespace {

const Json* member(const Json* j, std::string_view key) {
  return j && j->isObject() ? j->find(key) : nullptr;
}

std::string text(const Json* j) {
  return j && j->isString() ? j->asString() : std::string();
}

template <typename F>
void forEach(const Json* j, F&& f) {
  if (j && j->isArray())
    for (const Json& item : j->asArray()) f(&item);
}

const CheckResult* find(const std::vector<CheckResult>& checks, std::string_view id) {
  for (const auto& c : checks)
    if (c.id == id) return &c;
  return nullptr;
}

// Oldest first, so the lowest accepted version is the one with the smallest index.
constexpr std::array<std::string_view, 6> kVersionOrder = {"SSLv2",   "SSLv3",   "TLSv1.0",
                                                           "TLSv1.1", "TLSv1.2", "TLSv1.3"};

int versionRank(std::string_view v) {
  for (std::size_t i = 0; i < kVersionOrder.size(); ++i)
    if (kVersionOrder[i] == v) return static_cast<int>(i);
  return -1;
}

void tlsFacts(const std::vector<CheckResult>& checks, KeyFacts& facts) {
  int lowest = -1;
  for (const auto& c : checks) {
    if (!c.id.starts_with("TLS-")) continue;
    forEach(member(&c.evidence, "hosts"), [&](const Json* host) {
      forEach(member(host, "addresses"), [&](const Json* address) {
        const Json* en = member(address, "enumeration");
        forEach(member(en, "versions"), [&](const Json* v) {
          facts.tls_enumerated = true;
          if (text(member(v, "support")) != "accepted") return;
          const int rank = versionRank(text(member(v, "version")));
          if (rank < 0) return;
          if (lowest < 0 || rank < lowest) lowest = rank;
          if (rank <= 1) facts.weak_tls = true;  // SSLv2, SSLv3
        });
        forEach(member(en, "suites"), [&](const Json* s) {
          facts.tls_enumerated = true;
          const std::string group = text(member(s, "group"));
          if (text(member(s, "support")) == "accepted" && (group == "RC4" || group == "3DES"))
            facts.weak_tls = true;
        });
      });
    });
  }
  if (lowest >= 0) facts.lowest_tls = std::string(kVersionOrder[static_cast<std::size_t>(lowest)]);
}

}  // namespace

KeyFacts keyFacts(const std::vector<CheckResult>& checks) {
  KeyFacts facts;
  for (const char* id : {"SPF-02", "SPF-01", "SPF-03"}) {
    if (const auto* c = find(checks, id)) {
      const Json* policy = member(&c->evidence, "policy");
      // Rubric 2026-12: a record whose evaluation permerrors has no policy, whatever it ends with.
      facts.spf_all = text(member(policy, "result")) == "permerror"
                          ? std::string("permerror")
                          : text(member(policy, "effective_all"));
      if (!facts.spf_all.empty()) break;
    }
  }
  for (const char* id : {"DMARC-02", "DMARC-01", "DMARC-03", "DMARC-04"}) {
    const auto* c = find(checks, id);
    const Json* parse = c ? member(member(&c->evidence, "record"), "parse") : nullptr;
    if (!parse) continue;
    const Json* usable = member(parse, "usable");
    if (usable && usable->isBool() && usable->asBool()) {
      facts.dmarc_policy = text(member(parse, "policy"));
      facts.dmarc_rua = !text(member(member(parse, "tags"), "rua")).empty();
    }
    break;
  }
  tlsFacts(checks, facts);
  if (const auto* c = find(checks, "DKIM-01")) {
    facts.dkim_found = c->status == Status::Pass;
    forEach(member(&c->evidence, "selectors"), [&](const Json* s) {
      forEach(member(s, "keys"), [&](const Json* k) {
        if (text(member(k, "state")) == "usable") facts.dkim_found = true;
      });
    });
  }
  if (const auto* c = find(checks, "MTASTS-01"))
    facts.mta_sts_mode = text(member(member(member(&c->evidence, "fetch"), "policy"), "mode"));
  return facts;
}

std::optional<Status> DomainRunResult::status(std::string_view check_id) const {
  for (const auto& [id, s] : statuses)
    if (id == check_id) return s;
  return std::nullopt;
}

std::string tierLabelVi(std::string_view tier) {
  using audit::Tier;
  for (Tier t :
       {Tier::Indeterminate, Tier::NonCompliant, Tier::Partial, Tier::Baseline, Tier::Advanced})
    if (audit::toString(t) == tier) return std::string(audit::tierLabelVi(t));
  return {};
}

std::string statusText(const std::optional<Status>& status) {
  return status ? std::string(toString(*status)) : std::string();
}

std::string scoreText(const std::optional<double>& score) {
  if (!score) return {};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *score);
  return buf;
}

}  // namespace mh::reports
