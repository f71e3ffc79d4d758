// An in-memory resolver for unit tests of pure logic: records from zone-file lines, forced outcomes.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/dns/resolver.hpp"

namespace mh::dns {

// Semantics follow an authoritative server: a name with records of the type answers NOERROR;
// a name that exists (has records, or is an empty non-terminal above one) answers NODATA;
// otherwise the closest `*.parent` wildcard answers, else NXDOMAIN. CNAMEs are followed.
class FixtureResolver : public Resolver {
 public:
  void add(DnsRecord record);
  // One RR in zone-file syntax; throws std::invalid_argument when ldns rejects it (a broken
  // fixture is a bug in the test, not an outcome).
  void addRecord(std::string_view zoneLine);
  // Several lines; blank lines and lines starting with ';' or '#' are skipped.
  void addZone(std::string_view text);
  // Forces the outcome of one (name, type) query, e.g. ServFail or Timeout.
  void setOutcome(std::string_view name, std::uint16_t type, DnsStatus status);
  // Forces the outcome for every type that has no records at the name (the OpenSPF suite's
  // TIMEOUT convention).
  void setNameOutcome(std::string_view name, DnsStatus status);

  DnsAnswer query(std::string_view name, std::uint16_t type) override;

  // Every query asked, in order (name normalised).
  const std::vector<std::pair<std::string, std::uint16_t>>& queries() const { return queries_; }
  std::size_t queryCount() const { return queries_.size(); }

 private:
  bool nameExists(const std::string& name) const;
  const std::vector<DnsRecord>* recordsAt(const std::string& name) const;

  std::map<std::string, std::vector<DnsRecord>> byName_;
  std::map<std::pair<std::string, std::uint16_t>, DnsStatus> forced_;
  std::map<std::string, DnsStatus> forcedName_;
  std::vector<std::pair<std::string, std::uint16_t>> queries_;
};

}  // namespace mh::dns
