// RFC 4180 CSV reading of domains.csv.
#include "service/domain_list.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "checks/audit/domain_audit.hpp"
#include "checks/core/logging.hpp"
#include "checks/core/text.hpp"

namespace mh::service {

namespace {

constexpr std::size_t kMaxFields = 64;
constexpr std::size_t kMaxFieldBytes = 4096;

struct Row {
  std::size_t line = 0;
  std::vector<std::string> fields;
  std::string error;
};

// Splits CSV text into rows (RFC 4180 §2: quoted fields may hold commas, quotes and newlines).
std::vector<Row> splitRows(std::string_view csv) {
  std::vector<Row> rows;
  std::size_t i = 0, line = 1;
  if (csv.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte-order mark
  while (i < csv.size()) {
    Row row;
    row.line = line;
    std::string field;
    bool done = false;
    while (!done) {
      if (i < csv.size() && csv[i] == '"') {  // quoted field
        ++i;
        bool closed = false;
        while (i < csv.size()) {
          char c = csv[i++];
          if (c == '"') {
            if (i < csv.size() && csv[i] == '"') {
              field += '"';
              ++i;
            } else {
              closed = true;
              break;
            }
          } else {
            if (c == '\n') ++line;
            field += c;
          }
        }
        if (!closed) row.error = "unterminated quoted field";
        // Anything between the closing quote and the next separator is malformed.
        while (i < csv.size() && csv[i] != ',' && csv[i] != '\n' && csv[i] != '\r') {
          row.error = "text after a closing quote";
          ++i;
        }
      } else {
        while (i < csv.size() && csv[i] != ',' && csv[i] != '\n' && csv[i] != '\r')
          field += csv[i++];
      }
      if (field.size() > kMaxFieldBytes) row.error = "field longer than 4096 bytes";
      row.fields.push_back(std::move(field));
      field.clear();
      if (i < csv.size() && csv[i] == ',') {
        ++i;
        continue;
      }
      if (i < csv.size() && csv[i] == '\r') ++i;
      if (i < csv.size() && csv[i] == '\n') ++i;
      ++line;
      done = true;
    }
    if (row.fields.size() > kMaxFields) row.error = "more than 64 fields";
    bool blank =
        row.fields.size() == 1 && row.fields[0].find_first_not_of(" \t") == std::string::npos;
    if (!blank || !row.error.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

std::string trim(std::string_view s) { return std::string(ascii::trimWsp(s)); }

std::vector<std::string> splitSelectors(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + " ") {
    if (c == ' ' || c == ';' || c == '\t') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

}  // namespace

const DomainEntry* DomainList::find(std::string_view domain) const {
  std::string key = dns::normaliseName(domain);
  for (const auto& e : entries)
    if (e.domain == key) return &e;
  return nullptr;
}

std::vector<std::string> DomainList::singleMemberGroups() const {
  std::map<std::string, std::size_t> members;
  for (const auto& e : entries)
    if (!e.group.empty()) ++members[e.group];
  std::vector<std::string> out;
  for (const auto& [group, count] : members)
    if (count == 1) out.push_back(group);
  return out;
}

std::shared_ptr<spdlog::logger> registryLogger() {
  static const auto logger = subsystemLogger("registry");
  return logger;
}

DomainList parseDomainList(std::string_view csv) {
  DomainList list;
  auto rows = splitRows(csv);
  if (rows.empty()) {
    list.errors.push_back({1, "empty file: a header row with a 'domain' column is required"});
    return list;
  }
  const auto& header = rows.front().fields;
  auto column = [&](std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (trim(header[i]) == name) return i;
    return std::nullopt;
  };
  auto domainCol = column("domain");
  if (!domainCol) {
    list.errors.push_back({rows.front().line, "the header row has no 'domain' column"});
    return list;
  }
  auto agencyVi = column("agency_vi"), agencyEn = column("agency_en"),
       category = column("category"), group = column("group"), status = column("status"),
       successor = column("successor"), selectors = column("dkim_selectors"),
       notes = column("notes");
  static const std::set<std::string> kKnownColumns = {"domain",    "agency_vi",      "agency_en",
                                                      "category",  "group",          "status",
                                                      "successor", "dkim_selectors", "notes"};
  for (const auto& name : header)
    if (!kKnownColumns.count(trim(name)))
      list.errors.push_back({rows.front().line, "unknown column '" + trim(name) + "' (ignored)"});
  std::set<std::string> seen;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (!row.error.empty()) {
      list.errors.push_back({row.line, row.error});
      continue;
    }
    if (row.fields.size() > header.size()) {
      list.errors.push_back({row.line, "more fields than the header has columns"});
      continue;
    }
    auto get = [&](std::optional<std::size_t> col) {
      return col && *col < row.fields.size() ? trim(row.fields[*col]) : std::string();
    };
    std::string error;
    auto domain = audit::normaliseDomainArgument(get(domainCol), error);
    if (!domain) {
      list.errors.push_back({row.line, "invalid domain: " + error});
      continue;
    }
    if (!seen.insert(*domain).second) {
      list.errors.push_back({row.line, "duplicate domain " + *domain});
      continue;
    }
    const std::string statusText = get(status);
    if (!statusText.empty() && statusText != "current" && statusText != "legacy") {
      list.errors.push_back(
          {row.line, "status must be 'current' or 'legacy', not '" + statusText + "'"});
      continue;
    }
    DomainEntry entry;
    entry.domain = *domain;
    entry.agency_vi = get(agencyVi);
    entry.agency_en = get(agencyEn);
    entry.category = get(category);
    entry.group = get(group);
    entry.legacy = statusText == "legacy";
    entry.successor = get(successor);
    entry.dkim_selectors = splitSelectors(get(selectors));
    entry.notes = get(notes);
    list.entries.push_back(std::move(entry));
  }
  return list;
}

std::optional<DomainList> loadDomainList(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  auto list = parseDomainList(buf.str());
  for (const auto& group : list.singleMemberGroups()) {
    const auto member = std::find_if(list.entries.begin(), list.entries.end(),
                                     [&](const DomainEntry& e) { return e.group == group; });
    registryLogger()->warn("group has a single member file={} group=\"{}\" domain={}", path, group,
                           member->domain);
  }
  return list;
}

}  // namespace mh::service
