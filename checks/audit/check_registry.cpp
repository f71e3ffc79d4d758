// Orders the registered sources by their needs and the checks by the rubric, and answers which
// sources a check rests on.
#include "checks/audit/check_registry.hpp"

#include <algorithm>

#include "checks/core/rubric.hpp"

namespace mh::audit {

namespace {

// The rubric position of a check ID; unknown IDs after every known one.
std::size_t rubricIndex(std::string_view id) {
  const auto all = rubric();
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].id == id) return i;
  return all.size();
}

}  // namespace

std::chrono::milliseconds GatherContext::left() const {
  if (deadline == std::chrono::steady_clock::time_point::max()) return std::chrono::hours(24);
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now()));
}

CheckRegistry::CheckRegistry(std::vector<EvidenceSource> sources,
                             std::vector<CheckRegistration> checks) {
  if (sources.size() > 64) throw std::logic_error("check registry: more than 64 evidence sources");
  std::unordered_map<std::type_index, std::size_t> declared;
  for (std::size_t i = 0; i < sources.size(); ++i)
    if (!declared.emplace(sources[i].type, i).second)
      throw std::logic_error("check registry: two sources of the evidence of " +
                             std::string(sources[i].name));
  for (const auto& s : sources) {
    if (!s.gather || (s.withheld && !s.unavailable))
      throw std::logic_error("check registry: source " + std::string(s.name) +
                             " lacks its gather step or the judge of its withheld checks");
    for (const auto& need : s.needs)
      if (!declared.contains(need))
        throw std::logic_error("check registry: no source produces a need of source " +
                               std::string(s.name) + " (" + need.name() + ")");
  }
  // Kahn's algorithm, stable: each round places the first declared source whose needs are placed.
  std::vector<bool> placed(sources.size(), false);
  while (sources_.size() < sources.size()) {
    bool progressed = false;
    for (std::size_t i = 0; i < sources.size() && !progressed; ++i) {
      if (placed[i]) continue;
      const bool ready = std::all_of(sources[i].needs.begin(), sources[i].needs.end(),
                                     [&](const auto& need) { return byType_.contains(need); });
      if (!ready) continue;
      std::uint64_t bits = std::uint64_t{1} << sources_.size();
      for (const auto& need : sources[i].needs) bits |= closures_[byType_.at(need)];
      byType_.emplace(sources[i].type, sources_.size());
      closures_.push_back(bits);
      sources_.push_back(std::move(sources[i]));
      placed[i] = progressed = true;
    }
    if (!progressed) {
      std::string cycle;
      for (std::size_t i = 0; i < sources.size(); ++i)
        if (!placed[i]) cycle += (cycle.empty() ? "" : ", ") + std::string(sources[i].name);
      throw std::logic_error("check registry: the needs of these sources form a cycle: " + cycle);
    }
  }

  for (const auto& c : checks) {
    if (!c.judge) throw std::logic_error("check registry: " + std::string(c.id) + " has no judge");
    for (const auto* list : {&c.needs, &c.uses})
      for (const auto& need : *list)
        if (!byType_.contains(need))
          throw std::logic_error("check registry: no source produces evidence " +
                                 std::string(c.id) + " reads (" + need.name() + ")");
    if (std::count_if(checks.begin(), checks.end(),
                      [&](const CheckRegistration& o) { return o.id == c.id; }) > 1)
      throw std::logic_error("check registry: " + std::string(c.id) + " is registered twice");
  }
  std::stable_sort(checks.begin(), checks.end(), [](const auto& a, const auto& b) {
    return rubricIndex(a.id) < rubricIndex(b.id);
  });
  checks_ = std::move(checks);
}

const CheckRegistration* CheckRegistry::findCheck(std::string_view id) const {
  for (const auto& c : checks_)
    if (c.id == id) return &c;
  return nullptr;
}

const EvidenceSource* CheckRegistry::findSource(std::type_index type) const {
  auto it = byType_.find(type);
  return it == byType_.end() ? nullptr : &sources_[it->second];
}

std::uint64_t CheckRegistry::closure(std::type_index type) const {
  auto it = byType_.find(type);
  return it == byType_.end() ? ~std::uint64_t{0} : closures_[it->second];
}

std::uint64_t CheckRegistry::sourceBits(std::string_view id) const {
  const CheckRegistration* c = findCheck(id);
  if (c == nullptr) return ~std::uint64_t{0};  // unknown: unfinished whenever anything was cut
  std::uint64_t bits = 0;
  for (const auto* list : {&c->needs, &c->uses})
    for (const auto& type : *list) bits |= closure(type);
  return bits;
}

bool CheckRegistry::runs(const EvidenceSource& s, const AuditOptions& options) const {
  if (s.enabled && !s.enabled(options)) return false;
  return std::all_of(s.needs.begin(), s.needs.end(),
                     [&](const auto& need) { return runs(*findSource(need), options); });
}

bool CheckRegistry::runs(const CheckRegistration& c, const AuditOptions& options) const {
  return std::all_of(c.needs.begin(), c.needs.end(),
                     [&](const auto& need) { return runs(*findSource(need), options); });
}

const EvidenceSource* CheckRegistry::withholder(const EvidenceSource& s,
                                                const AuditOptions& options,
                                                std::string& reason) const {
  if (s.withheld) {
    reason = s.withheld(options);
    if (!reason.empty()) return &s;
  }
  for (const auto& need : s.needs)
    if (const EvidenceSource* w = withholder(*findSource(need), options, reason)) return w;
  return nullptr;
}

const EvidenceSource* CheckRegistry::withholder(const CheckRegistration& c,
                                                const AuditOptions& options,
                                                std::string& reason) const {
  for (const auto& need : c.needs)
    if (const EvidenceSource* w = withholder(*findSource(need), options, reason)) return w;
  return nullptr;
}

}  // namespace mh::audit
