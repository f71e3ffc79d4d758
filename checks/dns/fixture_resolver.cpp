// In-memory resolver used by unit tests and the OpenSPF conformance driver.
#include "checks/dns/fixture_resolver.hpp"

#include <stdexcept>

#include "checks/dns/ldns_convert.hpp"

namespace mh::dns {

void FixtureResolver::add(DnsRecord record) {
  record.owner = normaliseName(record.owner);
  byName_[record.owner].push_back(std::move(record));
}

void FixtureResolver::addRecord(std::string_view zoneLine) {
  auto rec = parseRecord(zoneLine);
  if (!rec) throw std::invalid_argument("fixture record not parseable: " + std::string(zoneLine));
  add(std::move(*rec));
}

void FixtureResolver::addZone(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    if (line[first] == ';' || line[first] == '#') continue;
    addRecord(line.substr(first));
  }
}

void FixtureResolver::setOutcome(std::string_view name, std::uint16_t type, DnsStatus status) {
  forced_[{normaliseName(name), type}] = status;
}

void FixtureResolver::setNameOutcome(std::string_view name, DnsStatus status) {
  forcedName_[normaliseName(name)] = status;
}

const std::vector<DnsRecord>* FixtureResolver::recordsAt(const std::string& name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : &it->second;
}

bool FixtureResolver::nameExists(const std::string& name) const {
  if (recordsAt(name)) return true;
  // An empty non-terminal exists (RFC 8020): some owner ends with ".name".
  const std::string suffix = "." + name;
  for (auto it = byName_.lower_bound(""); it != byName_.end(); ++it) {
    const auto& owner = it->first;
    if (owner.size() > suffix.size() &&
        owner.compare(owner.size() - suffix.size(), suffix.size(), suffix) == 0)
      return true;
  }
  return false;
}

DnsAnswer FixtureResolver::query(std::string_view rawName, std::uint16_t type) {
  DnsAnswer answer;
  answer.qname = normaliseName(rawName);
  answer.qtype = type;
  answer.server = "fixture";
  queries_.emplace_back(answer.qname, type);
  if (!isValidDnsName(rawName)) {
    answer.status = DnsStatus::InvalidName;
    return answer;
  }

  std::string current = answer.qname;
  for (int hops = 0; hops < 16; ++hops) {
    if (auto f = forced_.find({current, type}); f != forced_.end()) {
      answer.status = f->second;
      answer.records.clear();
      return answer;
    }
    const std::vector<DnsRecord>* recs = recordsAt(current);
    std::string owner = current;
    if (recs == nullptr && !nameExists(current)) {
      // Closest-encloser wildcard: replace labels from the left with '*'.
      for (auto dot = current.find('.'); dot != std::string::npos;
           dot = current.find('.', dot + 1)) {
        if (auto* w = recordsAt("*" + current.substr(dot))) {
          recs = w;
          break;
        }
        if (nameExists(current.substr(dot + 1))) break;  // a closer encloser blocks wildcards
      }
    }
    bool hasType = false;
    const DnsRecord* cname = nullptr;
    if (recs) {
      for (const auto& r : *recs) {
        if (r.type == type) {
          DnsRecord copy = r;
          copy.owner = owner;
          answer.records.push_back(std::move(copy));
          hasType = true;
        } else if (r.type == rr::CNAME) {
          cname = &r;
        }
      }
    }
    if (hasType) {
      // Fixture RRSIGs at the owner covering the type travel with the answer, as from a server
      // asked with the DO bit (the type covered is the first field of the RRSIG rdata).
      if (recs && type != rr::RRSIG) {
        const std::string covered = typeName(type) + " ";
        for (const auto& r : *recs)
          if (r.type == rr::RRSIG && r.data.rfind(covered, 0) == 0) {
            DnsRecord copy = r;
            copy.owner = owner;
            answer.signatures.push_back(std::move(copy));
          }
      }
      answer.status = DnsStatus::NoError;
      answer.rcode = 0;
      return answer;
    }
    if (auto f = forcedName_.find(current); f != forcedName_.end()) {
      answer.status = f->second;
      return answer;
    }
    if (cname && type != rr::CNAME) {
      DnsRecord copy = *cname;
      copy.owner = owner;
      answer.cnames.push_back(copy);
      current = cname->data;
      continue;
    }
    answer.rcode = recs ? 0 : (nameExists(current) ? 0 : 3);
    answer.status = answer.rcode == 0 ? DnsStatus::NoData : DnsStatus::NxDomain;
    if (answer.status != DnsStatus::NoError) answer.negative_ttl = 300;
    return answer;
  }
  answer.status = DnsStatus::ServFail;  // CNAME loop: what a recursive resolver would say
  answer.error = "CNAME chain too long";
  return answer;
}

}  // namespace mh::dns
