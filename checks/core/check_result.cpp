// Findings, check results and their JSON form.
#include "checks/core/check_result.hpp"

namespace mh {

Finding& Finding::arg(std::string name, std::string value) {
  args.emplace_back(std::move(name), ArgValue(std::move(value)));
  return *this;
}

Finding& Finding::arg(std::string name, std::int64_t value) {
  args.emplace_back(std::move(name), ArgValue(value));
  return *this;
}

std::string Finding::argText(std::string_view name) const {
  for (const auto& [k, v] : args) {
    if (k != name) continue;
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return std::to_string(std::get<std::int64_t>(v));
  }
  return {};
}

Finding makeFinding(std::string tag, Status status) {
  Finding f;
  f.tag = std::move(tag);
  f.status = status;
  return f;
}

Finding& CheckResult::add(Finding f) {
  status = worst(status, f.status);
  findings.push_back(std::move(f));
  return findings.back();
}

bool CheckResult::hasTag(std::string_view tag) const {
  for (const auto& f : findings)
    if (f.tag == tag) return true;
  return false;
}

std::string renderTemplate(std::string_view tmpl, const Finding& f) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      auto close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        std::string_view name = tmpl.substr(i + 1, close - i - 1);
        bool known = false;
        for (const auto& [k, v] : f.args) known = known || k == name;
        if (known) {
          out += f.argText(name);
          i = close + 1;
          continue;
        }
      }
    }
    out.push_back(tmpl[i++]);
  }
  return out;
}

const TagSpec* findTagSpec(std::span<const TagSpec> catalogue, std::string_view tag) {
  for (const auto& spec : catalogue)
    if (spec.tag == tag) return &spec;
  return nullptr;
}

void fillRemediation(CheckResult& result, std::span<const TagSpec> catalogue) {
  for (const auto& f : result.findings) {
    if (f.status != Status::Warn && f.status != Status::Fail) continue;
    const TagSpec* spec = findTagSpec(catalogue, f.tag);
    if (spec == nullptr || spec->remediation_en.empty()) continue;
    std::string en = renderTemplate(spec->remediation_en, f);
    std::string vi = renderTemplate(spec->remediation_vi, f);
    // The same advice from two findings is said once.
    if (result.remediation.en.find(en) != std::string::npos) continue;
    if (!result.remediation.en.empty()) result.remediation.en += "\n";
    if (!result.remediation.vi.empty()) result.remediation.vi += "\n";
    result.remediation.en += en;
    result.remediation.vi += vi;
  }
}

Json toJson(const Finding& f) {
  Json args = Json::object();
  for (const auto& [k, v] : f.args) {
    if (const auto* s = std::get_if<std::string>(&v))
      args.set(k, *s);
    else
      args.set(k, std::get<std::int64_t>(v));
  }
  return Json::object({{"tag", f.tag}, {"status", std::string(toString(f.status))}, {"args", args}});
}

Json toJson(const CheckResult& r) {
  Json findings = Json::array();
  for (const auto& f : r.findings) findings.push(toJson(f));
  Json out = Json::object({{"id", r.id},
                           {"status", std::string(toString(r.status))},
                           {"findings", findings},
                           {"evidence", r.evidence.isNull() ? Json::object() : r.evidence}});
  out.set("remediation", Json::object({{"vi", r.remediation.vi}, {"en", r.remediation.en}}));
  return out;
}

}  // namespace mh
