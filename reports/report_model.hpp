// What the report builders read: one domain's stored result in one run, with key facts from
// evidence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/core/check.hpp"
#include "checks/core/check_result.hpp"

namespace mh::reports {

// A domain's entry of the domain list (what domains.csv says about it).
struct DomainInfo {
  std::string domain;
  std::string agency_vi;
  std::string agency_en;
  std::string category;  // ministry | agency | province | enterprise
  std::string group;
  bool legacy = false;
};

// The key facts of a national report, read from check evidence (keyFacts). Empty text means
// "not known" (no usable record, not probed, lookup failed).
struct KeyFacts {
  std::string spf_all;          // the effective all qualifier after redirects: "-all", "~all", ...,
                                // or "permerror" when the evaluation permerrors (rubric 2026-12)
  std::string dmarc_policy;     // p= of the usable DMARC record: "reject" | "quarantine" | "none"
  bool dmarc_rua = false;       // the DMARC record has a rua= tag
  std::string lowest_tls;       // the oldest protocol any MX address accepted, e.g. "TLSv1.2"
  bool tls_enumerated = false;  // protocol versions or cipher groups were enumerated
  bool weak_tls = false;        // SSLv2/SSLv3 or an RC4/3DES suite accepted by some MX address
  bool dkim_found = false;      // a DKIM key was found at some selector
  std::string mta_sts_mode;     // mode of the fetched policy: "enforce" | "testing" | "none"
};

// Pure and tolerant: members missing from the evidence leave the fact empty.
KeyFacts keyFacts(const std::vector<CheckResult>& checks);

// A run as listed in reports.
struct RunRef {
  std::int64_t id = 0;
  std::string kind;   // "national" | "self_check"
  std::string state;  // "running" | "complete" | "interrupted"
  std::string started_at;
};

// One domain's (latest-attempt) result in one run.
struct DomainRunResult {
  DomainInfo info;
  std::int64_t run_id = 0;
  int attempt = 1;
  bool exists = true;
  bool receives_mail = true;
  bool sends_mail = true;
  std::optional<double> score;
  std::optional<std::string> grade;
  std::optional<std::string> tier;
  std::optional<std::string> dmarc_phase;
  std::vector<std::pair<std::string, Status>> statuses;  // check id, status; rubric order
  KeyFacts facts;

  // nullopt when the check was not run for this domain.
  std::optional<Status> status(std::string_view check_id) const;
  // A mail domain receives or sends mail (guidance §3.1 profiles R or S).
  bool mailDomain() const { return exists && (receives_mail || sends_mail); }
};

// The Vietnamese label of a stored tier ("baseline" -> "Đạt cơ bản"); empty when unknown.
std::string tierLabelVi(std::string_view tier);

// A check status as written in reports: "pass", "fail", ...; empty for nullopt.
std::string statusText(const std::optional<Status>& status);

// A score as written in reports: one decimal ("87.5"); empty for nullopt.
std::string scoreText(const std::optional<double>& score);

}  // namespace mh::reports
