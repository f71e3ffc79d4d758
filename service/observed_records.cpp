// Observed records from check evidence: generic readers over the evidence JSON of each area.
#include "service/observed_records.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace mh::service {

namespace {

using store::ObservedRecord;

class Collector {
 public:
  void add(std::string name, std::string type, std::string value) {
    ObservedRecord r{lower(std::move(name)), std::move(type), std::move(value)};
    if (r.name.empty() || r.value.empty()) return;
    if (seen_.insert({r.name, r.type, r.value}).second) out_.push_back(std::move(r));
  }
  std::vector<ObservedRecord> take() { return std::move(out_); }

  static std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }

 private:
  std::set<std::tuple<std::string, std::string, std::string>> seen_;
  std::vector<ObservedRecord> out_;
};

const Json* member(const Json* j, std::string_view key) {
  return j && j->isObject() ? j->find(key) : nullptr;
}

std::string text(const Json* j) {
  return j && j->isString() ? j->asString() : std::string();
}

std::vector<const Json*> items(const Json* j) {
  std::vector<const Json*> out;
  if (j && j->isArray())
    for (const Json& item : j->asArray()) out.push_back(&item);
  return out;
}

// The evidence of the first of `ids` that has `key`; nullptr when none.
const Json* evidenceWith(const audit::DomainReport& report, std::initializer_list<const char*> ids,
                         std::string_view key) {
  for (const char* id : ids)
    if (const CheckResult* c = report.find(id); c && member(&c->evidence, key)) return &c->evidence;
  return nullptr;
}

// The queried name of a DNS answer's evidence ({"query": "name TYPE", ...}).
std::string queryName(const Json* answer) {
  const std::string q = text(member(answer, "query"));
  return q.substr(0, q.find(' '));
}

// True when a lookup failed (we cannot tell what is published); absent and empty are answers.
bool lookupFailed(const Json* answer) {
  const std::string status = text(member(answer, "status"));
  return !status.empty() && status != "NOERROR" && status != "NODATA" && status != "NXDOMAIN";
}

// Adds the error marker for a failed lookup; true when it did.
bool addLookupError(Collector& c, const Json* answer, const std::string& name,
                    const std::string& type) {
  if (!lookupFailed(answer)) return false;
  c.add(name, type, "(lookup error: " + text(member(answer, "status")) + ")");
  return true;
}

// "good.lab.test.\t300\tIN\tMX\t10 mx1.good.lab.test." -> "10 mx1.good.lab.test"
std::string rdataAfterType(const std::string& presentation, std::string_view type) {
  std::istringstream in(presentation);
  std::vector<std::string> tokens;
  for (std::string t; in >> t;) tokens.push_back(t);
  auto it = std::find(tokens.begin(), tokens.end(), type);
  if (it == tokens.end()) return {};
  std::string out;
  for (++it; it != tokens.end(); ++it) out += (out.empty() ? "" : " ") + Collector::lower(*it);
  return out;
}

void spfRecords(const audit::DomainReport& report, Collector& c) {
  const Json* e = evidenceWith(report, {"SPF-01", "SPF-02", "SPF-03"}, "txt");
  if (!e) return;
  std::string name = text(member(e, "domain"));
  if (name.empty()) name = report.domain;
  if (addLookupError(c, member(e, "txt"), name, "TXT")) return;
  for (const Json* r : items(member(e, "records"))) c.add(name, "TXT", text(r));
}

void dmarcRecords(const audit::DomainReport& report, Collector& c) {
  const Json* e = evidenceWith(report, {"DMARC-01", "DMARC-02", "DMARC-03", "DMARC-04"}, "queries");
  if (!e) return;
  for (const Json* q : items(member(e, "queries"))) {
    const std::string name = queryName(q);
    if (!name.starts_with("_dmarc.")) continue;
    if (addLookupError(c, q, name, "TXT")) continue;
    for (const Json* r : items(member(q, "dmarc_records"))) c.add(name, "TXT", text(r));
  }
}

void mxRecords(const audit::DomainReport& report, Collector& c) {
  const Json* e = evidenceWith(report, {"MX-01"}, "answers");
  if (!e) return;
  for (const Json* answer : items(member(e, "answers"))) {
    const std::string q = text(member(answer, "query"));
    if (!q.ends_with(" MX")) continue;
    const std::string name = queryName(answer);
    if (addLookupError(c, answer, name, "MX")) continue;
    for (const Json* r : items(member(answer, "records"))) {
      const std::string rdata = rdataAfterType(text(r), "MX");
      c.add(name, "MX", rdata.empty() ? text(r) : rdata);
    }
  }
}

void dkimKeys(const audit::DomainReport& report, Collector& c) {
  const Json* e = evidenceWith(report, {"DKIM-01", "DKIM-02"}, "selectors");
  if (!e) return;
  std::string domain = text(member(e, "domain"));
  if (domain.empty()) domain = report.domain;
  for (const Json* s : items(member(e, "selectors"))) {
    const std::string selector = text(member(s, "selector"));
    if (selector.empty()) continue;
    const std::string name = selector + "._domainkey." + domain;
    if (addLookupError(c, member(s, "answer"), name, "DKIM")) continue;
    for (const Json* k : items(member(s, "keys"))) {
      std::string value = text(member(k, "algorithm"));
      if (value.empty()) value = "unknown";
      if (const Json* bits = member(k, "bits"); bits && bits->isInt())
        value += " " + std::to_string(bits->asInt());
      const std::string state = text(member(k, "state"));
      if (!state.empty() && state != "usable") value += " " + state;
      c.add(name, "DKIM", value);
    }
  }
}

// The TXT texts of an area whose evidence is {"answer": {...}, "records": [{"text": ...}]}.
void textRecords(const Json* e, const std::string& fallbackName, Collector& c) {
  if (!e) return;
  const Json* answer = member(e, "answer");
  std::string name = queryName(answer);
  if (name.empty()) name = fallbackName;
  if (addLookupError(c, answer, name, "TXT")) return;
  for (const Json* r : items(member(e, "records"))) c.add(name, "TXT", text(member(r, "text")));
}

void mtaSts(const audit::DomainReport& report, Collector& c) {
  const Json* e = evidenceWith(report, {"MTASTS-01"}, "answer");
  textRecords(e, "_mta-sts." + report.domain, c);
  const Json* policy = member(member(e, "fetch"), "policy");
  const std::string mode = text(member(policy, "mode"));
  if (mode.empty()) return;
  std::string value = "mode=" + mode;
  if (const Json* age = member(policy, "max_age"); age && age->isInt())
    value += " max_age=" + std::to_string(age->asInt());
  std::string mx;
  for (const Json* m : items(member(policy, "mx"))) mx += (mx.empty() ? "" : ",") + text(m);
  if (!mx.empty()) value += " mx=" + mx;
  c.add("mta-sts." + report.domain, "MTA-STS-POLICY", value);
}

}  // namespace

std::vector<store::ObservedRecord> observedRecords(const audit::DomainReport& report) {
  Collector c;
  spfRecords(report, c);
  dmarcRecords(report, c);
  mxRecords(report, c);
  dkimKeys(report, c);
  mtaSts(report, c);
  textRecords(evidenceWith(report, {"TLSRPT-01"}, "answer"), "_smtp._tls." + report.domain, c);
  return c.take();
}

}  // namespace mh::service
