// Trend and change: national and per-group metrics of a run (guidance §3.4) and regressions between
// runs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reports/report_model.hpp"

namespace mh::reports {

// ---- Aggregates (guidance §3.4) ----

// Which domains a row of metrics counts: mail domains (profile R or S), the others (non-mail:
// parked, non-existent), or both.
enum class Population { Mail, NonMail, All };
std::string_view toString(Population p);  // "mail" | "non_mail" | "all"

// One metric: `count` domains of `of` meet it. `of` is the domains on which it could be judged
// (its check ran and ended pass, warn or fail; error, n/a, info and not-run are left out, like
// in the score), so a domain whose MX could not be reached is neither counted for nor against.
struct MetricValue {
  std::int64_t count = 0;
  std::int64_t of = 0;
  std::optional<double> percent() const;  // nullopt when of == 0
};

struct MetricSpec {
  std::string_view name;  // stable CSV column stem, e.g. "valid_spf"
  std::string_view description;
};

// The §3.4 metrics in report order (mean and median score are separate members).
std::span<const MetricSpec> metricSpecs();

struct Aggregate {
  std::string group;  // empty for the national row
  Population population = Population::All;
  std::int64_t domains = 0;          // domains in the population with a result in the run
  std::int64_t scored = 0;           // of which have a score
  std::vector<MetricValue> metrics;  // metricSpecs() order
  std::optional<double> mean_score;
  std::optional<double> median_score;
};

// The metrics of `results` restricted to `population`. Pure.
Aggregate aggregate(const std::vector<DomainRunResult>& results, Population population,
                    std::string group = {});

// How domains are grouped: by the category column (ministry, agency, province, enterprise) or
// by the free-text group column of domains.csv.
enum class GroupBy { Category, Group };
std::optional<GroupBy> parseGroupBy(std::string_view text);
std::string_view toString(GroupBy g);

// The national rows (group empty) then each group's (sorted by name), each for the populations
// all, mail and non_mail. Pure.
std::vector<Aggregate> groupAggregates(const std::vector<DomainRunResult>& results, GroupBy by);

// ---- Regressions and record changes ----

// A check got worse: pass -> warn or fail, warn -> fail. Error, n/a and info are never part of
// a regression (an error is "we could not tell", not "worse").
bool isRegression(Status before, Status after);

// The values of one observed record (name, type) in two runs, when they differ.
struct RecordChange {
  std::string name;
  std::string type;
  std::vector<std::string> before;  // empty: not seen
  std::vector<std::string> after;
};

// True when a change of this record can explain a change of the check: SPF-* <- the domain's
// TXT; DMARC-* <- _dmarc.* TXT; DKIM-* <- DKIM keys; MTASTS-01 <- _mta-sts TXT and the policy;
// TLSRPT-01 <- _smtp._tls TXT; MX-01, TLS-*, DANE-01, HYG-01 <- MX.
bool explains(const RecordChange& change, std::string_view check_id, std::string_view domain);

// "_dmarc.x TXT: \"v=DMARC1; p=reject\" -> \"v=DMARC1; p=none\"" (values joined by " | ",
// "(none)" for an empty side).
std::string describe(const RecordChange& change);

// The statuses of one audit of a domain: the latest attempt of a run.
struct StatusSnapshot {
  std::int64_t run_id = 0;
  std::string kind;   // "national" | "self_check"
  std::string state;  // run state
  std::string started_at;
  int attempt = 1;
  std::vector<std::pair<std::string, Status>> statuses;
  std::optional<Status> status(std::string_view check_id) const;
};

struct Regression {
  std::string domain;
  std::string check_id;
  std::int64_t run_before = 0;
  std::int64_t run_after = 0;
  Status before = Status::Pass;
  Status after = Status::Fail;
  // Confirmed by a re-check: the domain was audited again and the check was still at least as
  // bad as `after` (not error): either the result in run_after is a later attempt (the
  // run's re-check audited it again), or a later run of any kind (a self-check or the next
  // national run) shows it.
  bool confirmed = false;
  std::string confirmed_by;  // "attempt 2 of run 13" | "run 14 (self_check)"; empty if not
  std::vector<RecordChange> record_changes;  // the changes that can explain it
};

// The regressions of one domain between consecutive complete national runs of its history
// (oldest first; runs of other kinds or states only serve as re-checks). `changes` gives the
// record changes between two runs (before, after); it may return nothing. Pure apart from it.
std::vector<Regression> domainRegressions(
    std::string_view domain, const std::vector<StatusSnapshot>& history,
    const std::function<std::vector<RecordChange>(std::int64_t, std::int64_t)>& changes = {});

// "DMARC-02 pass->fail (run 1->2, unconfirmed; _dmarc.x TXT: ... -> ...)"
std::string describe(const Regression& r);

// ---- Persistent errors ----

// Guidance §3.3: an `error` (we could not tell) that persists for three consecutive runs is
// reported separately as "unreachable". `errored` maps a run ID to the checks that ended in
// error in the domain's result of that run (an entry, possibly empty, for every run the domain
// has a result in); `runs` are the complete national runs to consider, oldest first. Returns
// the checks in error in each of the domain's last `streak` runs among `runs`, sorted; empty
// when the domain has fewer than `streak` of them. Pure.
std::vector<std::string> unreachableChecks(
    const std::map<std::int64_t, std::vector<std::string>>& errored,
    const std::vector<std::int64_t>& runs, std::size_t streak = 3);

}  // namespace mh::reports
