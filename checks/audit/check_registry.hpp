// The check registry: every evidence source (a gather step) and every check (its ID, the evidence
// it is judged on, its pure judge) declared once; the domain audit runs them in dependency order.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "checks/audit/domain_audit.hpp"

namespace mh::audit {

// The evidence one domain's audit has gathered so far: one value per evidence type.
class EvidenceSet {
 public:
  void put(std::type_index type, std::shared_ptr<const void> value) {
    values_[type] = std::move(value);
  }
  template <class E>
  const E* find() const {
    auto it = values_.find(typeid(E));
    return it == values_.end() ? nullptr : static_cast<const E*>(it->second.get());
  }

 private:
  std::unordered_map<std::type_index, std::shared_ptr<const void>> values_;
};

// The evidence types a step declares it reads, e.g. needs<mx::MxEvidence, DomainProfile>().
using EvidenceTypes = std::vector<std::type_index>;
template <class... E>
EvidenceTypes needs() {
  return {std::type_index(typeid(E))...};
}

// What one step (a gather or a judge) may read: the evidence it declared and nothing else, so
// that the declarations the budget and the ordering rely on cannot drift from the code.
class EvidenceView {
 public:
  EvidenceView(const EvidenceSet& set, std::string_view step, const EvidenceTypes& needs,
               const EvidenceTypes& uses = {})
      : set_(set), step_(step), needs_(needs), uses_(uses) {}

  // A declared need; gathered before the step, so always there.
  template <class E>
  const E& need() const {
    const E* value = declared<E>(needs_) ? set_.find<E>() : nullptr;
    if (value == nullptr)
      throw std::logic_error(std::string(step_) +
                             " reads evidence it does not need: " + typeid(E).name());
    return *value;
  }
  // A declared optional input: nullptr when its source did not run (SMTP not probed).
  template <class E>
  const E* use() const {
    if (!declared<E>(uses_))
      throw std::logic_error(std::string(step_) +
                             " reads evidence it does not use: " + typeid(E).name());
    return set_.find<E>();
  }

 private:
  template <class E>
  static bool declared(const EvidenceTypes& types) {
    for (const auto& t : types)
      if (t == typeid(E)) return true;
    return false;
  }
  const EvidenceSet& set_;
  std::string_view step_;
  const EvidenceTypes& needs_;
  const EvidenceTypes& uses_;
};

// What a gather step is given.
struct GatherContext {
  dns::Resolver& resolver;  // the audit's resolver: counted, and silent after the budget
  const std::string& domain;
  const AuditOptions& options;
  std::chrono::system_clock::time_point now;       // certificates and signatures are judged at
  std::chrono::steady_clock::time_point deadline;  // the domain's budget (max: none)
  EvidenceView evidence;                           // the step's needs

  // Time left before the deadline (a day when there is none).
  std::chrono::milliseconds left() const;
};

// What a judge is given.
struct JudgeInput {
  EvidenceView evidence;
  std::chrono::system_clock::time_point now;
};

// A gather step: produces one evidence type from the domain and the evidence it needs.
struct EvidenceSource {
  std::string_view name;  // "mx", "spf"...: logs and tests
  std::type_index type;   // the evidence it produces, one source per type
  EvidenceTypes needs;    // gathered before it
  std::function<std::shared_ptr<const void>(const GatherContext&)> gather;
  // False: not gathered in this run, and the checks that need it are not run (TLS-01..04 without
  // the SMTP probe). Empty: always.
  std::function<bool(const AuditOptions&)> enabled = {};
  // A run-level reason not to gather it (the resolver strips DNSSEC), or "": the checks that need
  // it are then judged by `unavailable` with that reason instead of their judge.
  std::function<std::string(const AuditOptions&)> withheld = {};
  std::function<CheckResult(std::string_view check_id, std::string_view reason)> unavailable = {};
  // False for a step derived purely from its needs (the profile): no I/O, never cut by the budget.
  bool io = true;
  std::span<const TagSpec> (*tags)() = nullptr;  // the area's tag catalogue
};

// Declares the source of evidence type E, with its area's tag catalogue (or nullptr); `gather`
// returns an E.
template <class E, class Gather>
EvidenceSource source(std::string_view name, EvidenceTypes needs,
                      std::span<const TagSpec> (*tags)(), Gather gather) {
  return EvidenceSource{.name = name,
                        .type = typeid(E),
                        .needs = std::move(needs),
                        .gather = [gather](const GatherContext& g) -> std::shared_ptr<const void> {
                          return std::make_shared<const E>(gather(g));
                        },
                        .tags = tags};
}

// One check of the rubric.
struct CheckRegistration {
  std::string_view id;  // the rubric entry, and docs/checks/<id>.md
  EvidenceTypes needs;  // the evidence it is judged on (other areas' included: DMARC in SPF-02)
  EvidenceTypes uses;   // optional evidence: judged without it when its source did not run
  std::function<CheckResult(const JudgeInput&)> judge;  // pure
};

// The sources and checks of an audit, in the order they run. Sources are ordered so that each
// comes after its needs (in declaration order otherwise); checks in rubric order (report order).
class CheckRegistry {
 public:
  // Throws std::logic_error, a bug in the declarations, on a need no source produces, a cycle,
  // two sources of one type, or one check ID declared twice.
  CheckRegistry(std::vector<EvidenceSource> sources, std::vector<CheckRegistration> checks);

  std::span<const EvidenceSource> sources() const { return sources_; }
  std::span<const CheckRegistration> checks() const { return checks_; }
  const CheckRegistration* findCheck(std::string_view id) const;
  const EvidenceSource* findSource(std::type_index type) const;

  // The sources (bit i: sources()[i]) a check's result rests on, the needs of its needs
  // included; every bit for an ID not declared.
  std::uint64_t sourceBits(std::string_view id) const;
  // The bits of `type`'s source and of everything it rests on.
  std::uint64_t closure(std::type_index type) const;

  // Whether a source, or a check, runs in an audit with these options: a source when it and its
  // needs are enabled, a check when its needs' sources run.
  bool runs(const EvidenceSource& s, const AuditOptions& options) const;
  bool runs(const CheckRegistration& c, const AuditOptions& options) const;
  // The source that withholds `s` in this run (`s` itself or one it rests on), its run-level
  // reason in `reason`; nullptr when `s` can be gathered.
  const EvidenceSource* withholder(const EvidenceSource& s, const AuditOptions& options,
                                   std::string& reason) const;
  // The same for the first need of `c` that is withheld: `c` is then judged by that source's
  // `unavailable` instead of its judge.
  const EvidenceSource* withholder(const CheckRegistration& c, const AuditOptions& options,
                                   std::string& reason) const;

 private:
  std::vector<EvidenceSource> sources_;
  std::vector<CheckRegistration> checks_;
  std::vector<std::uint64_t> closures_;  // per source
  std::unordered_map<std::type_index, std::size_t> byType_;
};

// The audit's sources and checks (registered_checks.cpp): adding a check is one entry there, one
// rubric entry and its spec (docs/checks/<ID>.md).
const CheckRegistry& checkRegistry();

}  // namespace mh::audit
