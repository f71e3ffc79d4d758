// The audited domain list (domains.csv): RFC 4180 CSV with a header row, read defensively.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mh::service {

struct DomainEntry {
  std::string domain;  // normalised
  std::string agency_vi;
  std::string agency_en;
  std::string category;  // ministry | agency | province | enterprise
  // What the per-group report and the dashboard group by: ministries, ministry-level bodies,
  // central agencies, provinces and cities, state enterprises; a legacy body is in its
  // successor's group. Empty: in no group.
  std::string group;
  bool legacy = false;    // status column "legacy": a body merged away (its domain may live on)
  std::string successor;  // the successor body's domain, for legacy rows
  std::vector<std::string> dkim_selectors;  // registered selectors, if the agency gave any
  std::string notes;  // free text for people (mergers, unverified domains); never grouped on
};

struct DomainListError {
  std::size_t line = 0;  // 1-based physical line where the bad record starts
  std::string message;
};

struct DomainList {
  std::vector<DomainEntry> entries;
  std::vector<DomainListError> errors;  // rows skipped, with why; the rest of the file is kept

  const DomainEntry* find(std::string_view domain) const;
  // The groups with exactly one member, sorted: a group that groups nothing is most likely a
  // typo or a note written in the group column.
  std::vector<std::string> singleMemberGroups() const;
};

// Parses CSV text. Columns are found by header name (domain is required; agency_vi, agency_en,
// category, group, status (current|legacy), successor, dkim_selectors and notes are optional;
// any other column is reported as unknown). dkim_selectors holds selectors separated by spaces or
// semicolons. Internationalised names are accepted and stored as A-labels (xn--). Bad rows
// (invalid domain, duplicate, unterminated quote, too many fields, bad status) are reported in
// `errors` with their line and skipped; a missing `domain` header is one error and no entries.
DomainList parseDomainList(std::string_view csv);

// Reads and parses a file; nullopt when it cannot be read. Logs a warning for each group with
// a single member (registryLogger).
std::optional<DomainList> loadDomainList(const std::string& path);

// The logger of the domain registry ("registry").
std::shared_ptr<spdlog::logger> registryLogger();

}  // namespace mh::service
