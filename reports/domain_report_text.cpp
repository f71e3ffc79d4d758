// Renders a DomainReport for humans, with colour when asked.
#include "reports/domain_report_text.hpp"

#include <cstdio>
#include <map>
#include <sstream>

#include "checks/audit/scoring.hpp"
#include "checks/core/rubric.hpp"

namespace mh::reports {

namespace {

const char* colourOf(Status s) {
  switch (s) {
    case Status::Pass: return "\033[32m";   // green
    case Status::Warn: return "\033[33m";   // yellow
    case Status::Fail: return "\033[31m";   // red
    case Status::Error: return "\033[35m";  // magenta: could not tell
    case Status::Info:
    case Status::Na: return "\033[2m";  // dim
  }
  return "";
}

std::string label(Status s) {
  switch (s) {
    case Status::Pass: return "PASS ";
    case Status::Warn: return "WARN ";
    case Status::Fail: return "FAIL ";
    case Status::Error: return "ERROR";
    case Status::Info: return "INFO ";
    case Status::Na: return "N/A  ";
  }
  return "?    ";
}

// Indents every line after the first of a multi-line text.
std::string indentLines(const std::string& text, const std::string& pad) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

}  // namespace

std::string renderText(const audit::DomainReport& report, const TextOptions& options) {
  const std::string reset = options.colour ? "\033[0m" : "";
  const std::string bold = options.colour ? "\033[1m" : "";
  auto paint = [&](Status s, const std::string& text) {
    return options.colour ? colourOf(s) + text + reset : text;
  };

  std::ostringstream out;
  out << bold << "mailhygiene check " << report.domain << reset << "  (rubric "
      << report.rubric_version << ", " << report.started_at << ")\n";
  out << "Profile: " << (report.profile.receives_mail ? "receives mail" : "receives no mail")
      << ", " << (report.profile.sends_mail ? "sends mail" : "sends no mail") << "\n";
  for (const auto& reason : report.profile.reasons) out << "  - " << reason << "\n";
  if (!report.exists)
    out << "\n" << report.domain
        << " does not exist (NXDOMAIN): nothing to audit. Check the spelling, or remove the "
           "domain from the list if the agency no longer uses it.\n";
  out << "\n";

  std::map<Status, int> counts;
  for (const auto& check : report.checks) {
    ++counts[check.status];
    const RubricEntry* entry = findRubricEntry(check.id);
    char idCol[16];
    std::snprintf(idCol, sizeof idCol, "%-10s", check.id.c_str());
    out << paint(check.status, label(check.status)) << " " << idCol
        << (entry ? std::string(entry->title_en) : "") << "\n";
    if (check.status == Status::Na) continue;
    for (const auto& f : check.findings) {
      if (!options.show_passing && f.status <= Status::Pass) continue;
      out << "        " << paint(f.status, "-") << " " << audit::renderMessage(f) << "  ["
          << f.tag << "]\n";
    }
    if (!check.remediation.en.empty())
      out << "        Fix: " << indentLines(check.remediation.en, "             ") << "\n";
    if (options.vietnamese && !check.remediation.vi.empty())
      out << "        Sửa: " << indentLines(check.remediation.vi, "             ") << "\n";
  }

  const auto score = audit::scoreReport(report);
  out << "\n";
  if (score.score) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", *score.score);
    out << bold << "Score: " << buf << "/100, grade " << audit::toString(*score.grade) << reset
        << "  (" << score.scored.size() << " checks scored, " << score.excluded.size()
        << " left out: error, n/a or not run)\n";
    for (std::size_t i = 0; i < score.caps.size(); ++i) {
      out << "  capped: " << score.caps[i] << "\n";
      if (options.vietnamese && i < score.caps_vi.size())
        out << "          " << score.caps_vi[i] << "\n";
    }
  }
  out << "Tier: " << audit::tierLabelVi(score.tier) << " / " << audit::toString(score.tier)
      << "   DMARC phase: " << audit::toString(score.dmarc_phase) << "\n";
  for (std::size_t i = 0; i < score.tier_reasons.size(); ++i) {
    out << "  - " << score.tier_reasons[i] << "\n";
    if (options.vietnamese && i < score.tier_reasons_vi.size())
      out << "    " << score.tier_reasons_vi[i] << "\n";
  }
  out << "Summary: " << counts[Status::Pass] << " pass, " << counts[Status::Warn] << " warn, "
      << counts[Status::Fail] << " fail, " << counts[Status::Error] << " error, "
      << counts[Status::Info] << " info, " << counts[Status::Na] << " n/a  ("
      << report.dns_queries << " DNS queries, " << static_cast<long>(report.duration_ms)
      << " ms)\n";
  if (counts[Status::Error] > 0)
    out << "Checks marked ERROR could not be completed (timeout, SERVFAIL, refused): they are not "
           "failures and are retried.\n";
  return out.str();
}

}  // namespace mh::reports
