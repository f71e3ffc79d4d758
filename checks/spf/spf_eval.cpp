// RFC 7208 check_host() (§4, §5, §6) with lookup limits (§4.6.4) and an expansion tree.
#include "checks/spf/spf_eval.hpp"

#include <algorithm>

#include "checks/spf/spf_macro.hpp"

namespace mh::spf {
namespace {

constexpr int kMaxDepth = 50;

enum class Match { Yes, No, TempError, PermError };

struct Outcome {
  Outcome() = default;
  Outcome(SpfResult r) : result(r) {}  // NOLINT: implicit on purpose, `return SpfResult::X`
  SpfResult result = SpfResult::None;
  std::string explanation;
  bool explanation_default = true;
};

bool isAscii(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) return false;
  }
  return true;
}

// RFC 7208 §4.3: a malformed domain (label > 63, empty label, not a multi-label name, a
// domain literal) ends the check with "none" before any query.
bool isCheckableDomain(std::string_view d) {
  if (!dns::isValidDnsName(d) || d == ".") return false;
  std::string_view n = d;
  if (n.back() == '.') n.remove_suffix(1);
  if (n.find('.') == std::string_view::npos) return false;
  return n.front() != '[';
}

bool endsWithDomain(std::string_view name, std::string_view target) {
  std::string n = dns::normaliseName(name);
  std::string t = dns::normaliseName(target);
  if (n == t) return true;
  return n.size() > t.size() && n.compare(n.size() - t.size(), t.size(), t) == 0 &&
         n[n.size() - t.size() - 1] == '.';
}

SpfResult fromQualifier(Qualifier q) {
  switch (q) {
    case Qualifier::Pass:
      return SpfResult::Pass;
    case Qualifier::Fail:
      return SpfResult::Fail;
    case Qualifier::SoftFail:
      return SpfResult::SoftFail;
    case Qualifier::Neutral:
      return SpfResult::Neutral;
  }
  return SpfResult::Neutral;
}

class Evaluator {
 public:
  Evaluator(dns::Resolver& resolver, const IpAddress& ip, const SpfEvalOptions& options,
            SpfEvaluation& out)
      : resolver_(resolver), ip_(ip), options_(options), out_(out) {}

  void setIdentity(std::string sender, std::string local, std::string senderDomain,
                   std::string helo) {
    ctx_.sender = std::move(sender);
    ctx_.local_part = std::move(local);
    ctx_.sender_domain = std::move(senderDomain);
    ctx_.helo = std::move(helo);
    ctx_.ip = ip_;
    ctx_.receiver = options_.receiver;
    ctx_.timestamp = options_.timestamp;
    ctx_.validated_ptr = [this](std::string_view domain) { return validatedPtr(domain); };
  }

  // check_host() for one domain; fills `node` (a record node).
  Outcome evaluate(const std::string& domain, SpfNode& node, bool wantExplanation, int depth) {
    node.domain = domain;
    Outcome outcome = evaluateRecord(domain, node, wantExplanation, depth);
    node.result = std::string(toString(outcome.result));
    return outcome;
  }

 private:
  Outcome evaluateRecord(const std::string& domain, SpfNode& node, bool wantExplanation,
                         int depth) {
    if (depth > kMaxDepth) {
      issue(SpfIssueKind::TooDeep, domain, "", "nesting deeper than " + std::to_string(kMaxDepth));
      return {SpfResult::PermError};
    }
    if (!isCheckableDomain(domain)) {
      node.notes.push_back("not a valid domain name (RFC 7208 §4.3)");
      return {SpfResult::None};
    }
    // §4.4: only TXT; the SPF RR type (99) is obsolete and never queried here.
    dns::DnsAnswer txt = ask(domain, dns::rr::TXT, node);
    if (txt.isError()) {
      lookupFailure(txt);
      return {SpfResult::TempError};
    }
    std::vector<std::string> records;
    for (const auto& r : txt.records) {
      // §3.3: the character-strings of one TXT RR are joined without separators.
      std::string text = r.joinedText();
      if (isSpfRecord(text)) records.push_back(std::move(text));
    }
    if (records.empty()) {
      node.notes.push_back("no v=spf1 record");
      return {SpfResult::None};
    }
    if (records.size() > 1) {
      node.notes.push_back(std::to_string(records.size()) + " v=spf1 records (RFC 7208 §4.5)");
      issue(SpfIssueKind::MultipleRecords, domain, "", std::to_string(records.size()));
      return {SpfResult::PermError};
    }
    node.record = records.front();
    SpfParseResult parsed = parseSpfRecord(node.record);
    if (parsed.record.usesPtr() || node.record.find("%{p") != std::string::npos ||
        node.record.find("%{P") != std::string::npos)
      out_.ptr_used = true;
    if (!parsed.ok()) {
      for (const auto& e : parsed.errors) {
        node.notes.push_back("syntax error in \"" + e.term + "\": " + e.reason);
        issue(SpfIssueKind::SyntaxError, domain, e.term, e.reason);
      }
      return {SpfResult::PermError};
    }
    const SpfRecord& rec = parsed.record;

    for (const Mechanism& m : rec.mechanisms) {
      SpfNode child;
      child.term = m.text;
      Match match = Match::No;
      if (m.causesLookup() && !countLookup(child, m.text)) {
        match = Match::PermError;
      } else {
        path_.push_back(m.text);
        match = evaluateMechanism(m, domain, child, depth);
        path_.pop_back();
      }
      child.result = match == Match::Yes         ? "match"
                     : match == Match::No        ? "no match"
                     : match == Match::TempError ? "temperror"
                                                 : "permerror";
      node.children.push_back(std::move(child));
      if (match == Match::TempError) return {SpfResult::TempError};
      if (match == Match::PermError) return {SpfResult::PermError};
      if (match == Match::Yes) {
        Outcome o{fromQualifier(m.qualifier)};
        if (o.result == SpfResult::Fail) explain(rec, domain, wantExplanation, o);
        return o;
      }
    }

    // §6.1: redirect is used only when no mechanism matched and there is no "all" anywhere.
    if (rec.redirect && !rec.hasAll()) {
      std::string term = "redirect=" + *rec.redirect;
      SpfNode child;
      child.term = term;
      if (!countLookup(child, term)) {
        child.result = "permerror";
        node.children.push_back(std::move(child));
        return {SpfResult::PermError};
      }
      std::string target = expandTarget(*rec.redirect, domain);
      path_.push_back(term);
      // §6.1: the redirect target's result (and its own exp=) is the result.
      Outcome sub = evaluate(target, child, wantExplanation, depth + 1);
      path_.pop_back();
      node.children.push_back(std::move(child));
      if (sub.result == SpfResult::None) {
        issue(SpfIssueKind::RedirectNoRecord, domain, term, target);
        return {SpfResult::PermError};
      }
      return sub;
    }
    return {SpfResult::Neutral};  // §4.7
  }

  Match evaluateMechanism(const Mechanism& m, const std::string& domain, SpfNode& node, int depth) {
    switch (m.kind) {
      case MechanismKind::All:
        return Match::Yes;
      case MechanismKind::Ip4:
      case MechanismKind::Ip6:
        return ip_.inNetwork(m.network, m.network.v6 ? m.cidr6 : m.cidr4) ? Match::Yes : Match::No;
      case MechanismKind::A:
        node.domain = expandTarget(m.domain_spec, domain);
        return matchAddresses(node.domain, m, node, true);
      case MechanismKind::Mx:
        node.domain = expandTarget(m.domain_spec, domain);
        return matchMx(node.domain, m, node);
      case MechanismKind::Ptr:
        node.domain = expandTarget(m.domain_spec, domain);
        return matchPtr(node.domain, node);
      case MechanismKind::Exists: {
        node.domain = expandTarget(m.domain_spec, domain);
        // §5.7: always an A query, whatever the client's address family.
        dns::DnsAnswer a = ask(node.domain, dns::rr::A, node);
        if (a.isError()) return lookupFailure(a), Match::TempError;
        if (a.hasRecords()) return Match::Yes;
        return voidOrNothing(a, node) ? Match::No : Match::PermError;
      }
      case MechanismKind::Include: {
        std::string target = expandTarget(m.domain_spec, domain);
        // §5.2: exp= of the included record is not used, so no explanation is computed.
        Outcome sub = evaluate(target, node, false, depth + 1);
        switch (sub.result) {
          case SpfResult::Pass:
            return Match::Yes;
          case SpfResult::Fail:
          case SpfResult::SoftFail:
          case SpfResult::Neutral:
            return Match::No;
          case SpfResult::TempError:
            return Match::TempError;
          case SpfResult::None:
            issue(SpfIssueKind::IncludeNoRecord, domain, m.text, target);
            return Match::PermError;
          case SpfResult::PermError:
            return Match::PermError;
        }
        return Match::PermError;
      }
    }
    return Match::PermError;
  }

  // a: A or AAAA of the target against the client with the family's CIDR length (§5.3).
  Match matchAddresses(const std::string& target, const Mechanism& m, SpfNode& node,
                       bool countVoids) {
    dns::DnsAnswer a = ask(target, ip_.v6 ? dns::rr::AAAA : dns::rr::A, node);
    if (a.isError()) return lookupFailure(a), Match::TempError;
    if (!a.hasRecords()) {
      if (!countVoids) return Match::No;
      return voidOrNothing(a, node) ? Match::No : Match::PermError;
    }
    return anyAddressMatches(a, m) ? Match::Yes : Match::No;
  }

  bool anyAddressMatches(const dns::DnsAnswer& a, const Mechanism& m) const {
    int prefix = ip_.v6 ? m.cidr6 : m.cidr4;
    for (const auto& r : a.records) {
      auto addr = IpAddress::parse(r.data);
      if (addr && ip_.inNetwork(*addr, prefix)) return true;
    }
    return false;
  }

  // mx (§5.4): the MX hosts' addresses; more than 10 MX records is a permerror (§4.6.4).
  Match matchMx(const std::string& target, const Mechanism& m, SpfNode& node) {
    dns::DnsAnswer mx = ask(target, dns::rr::MX, node);
    if (mx.isError()) return lookupFailure(mx), Match::TempError;
    if (!mx.hasRecords()) return voidOrNothing(mx, node) ? Match::No : Match::PermError;
    if (static_cast<int>(mx.records.size()) > options_.mx_limit) {
      node.notes.push_back(std::to_string(mx.records.size()) + " MX records (limit " +
                           std::to_string(options_.mx_limit) + ")");
      issue(SpfIssueKind::TooManyMxRecords, target, m.text, std::to_string(mx.records.size()));
      return Match::PermError;
    }
    for (const auto& r : mx.records) {
      if (r.data.empty() || r.data == ".") continue;  // null MX (RFC 7505): no host
      Match hit = matchAddresses(r.data, m, node, false);
      if (hit != Match::No) return hit;
    }
    return Match::No;
  }

  // ptr (§5.5): validated names of the client that equal or end in the target.
  Match matchPtr(const std::string& target, SpfNode& node) {
    if (options_.audit) {
      node.notes.push_back("not evaluated: the answer depends on the client address");
      return Match::No;
    }
    dns::DnsAnswer ptr = ask(ip_.reverseName(), dns::rr::PTR, node);
    // §5.5: "If a DNS error occurs while doing the PTR RR lookup, then this mechanism fails
    // to match."
    if (ptr.isError()) return Match::No;
    if (!ptr.hasRecords()) return voidOrNothing(ptr, node) ? Match::No : Match::PermError;
    int checked = 0;
    for (const auto& r : ptr.records) {
      if (checked++ >= options_.ptr_limit) break;  // §4.6.4: ignore the rest
      if (endsWithDomain(r.data, target) && validates(r.data, node)) return Match::Yes;
    }
    return Match::No;
  }

  // Forward-confirms a PTR name; a DNS error skips the name (§5.5).
  bool validates(const std::string& name, SpfNode& node) {
    dns::DnsAnswer a = ask(name, ip_.v6 ? dns::rr::AAAA : dns::rr::A, node);
    if (!a.hasRecords()) return false;
    for (const auto& r : a.records) {
      auto addr = IpAddress::parse(r.data);
      if (addr && *addr == ip_) return true;
    }
    return false;
  }

  // %{p} (§7.3): a validated name, preferring <domain> itself, then a subdomain of it.
  std::string validatedPtr(std::string_view domain) {
    if (options_.audit) return "unknown";
    out_.ptr_used = true;
    SpfNode scratch;
    dns::DnsAnswer ptr = ask(ip_.reverseName(), dns::rr::PTR, scratch);
    if (!ptr.hasRecords()) return "unknown";
    std::string exact, sub, any;
    int checked = 0;
    for (const auto& r : ptr.records) {
      if (checked++ >= options_.ptr_limit) break;
      if (!validates(r.data, scratch)) continue;
      if (dns::normaliseName(r.data) == dns::normaliseName(domain))
        exact = r.data;
      else if (sub.empty() && endsWithDomain(r.data, domain))
        sub = r.data;
      else if (any.empty())
        any = r.data;
    }
    if (!exact.empty()) return exact;
    if (!sub.empty()) return sub;
    return any.empty() ? "unknown" : any;
  }

  // §6.2: exp= is fetched only for a fail; every problem falls back to the default text.
  void explain(const SpfRecord& rec, const std::string& domain, bool wanted, Outcome& o) {
    o.explanation = options_.default_explanation;
    o.explanation_default = true;
    if (!wanted || !rec.exp) return;
    ctx_.domain = domain;
    MacroExpansion name = expandMacros(*rec.exp, ctx_, MacroScope::DomainSpec);
    if (!name.ok) return;
    SpfNode scratch;
    dns::DnsAnswer txt = ask(toTargetName(name.value), dns::rr::TXT, scratch);
    if (txt.status != dns::DnsStatus::NoError || txt.records.size() != 1) return;
    std::string text = txt.records.front().joinedText();
    if (!isAscii(text)) return;
    MacroExpansion expanded = expandMacros(text, ctx_, MacroScope::Explanation);
    if (!expanded.ok) return;
    o.explanation = std::move(expanded.value);
    o.explanation_default = false;
  }

  std::string expandTarget(const std::string& spec, const std::string& domain) {
    if (spec.empty()) return domain;
    ctx_.domain = domain;
    // The spec passed checkDomainSpec at parse time, so expansion cannot fail.
    MacroExpansion e = expandMacros(spec, ctx_, MacroScope::DomainSpec);
    return toTargetName(e.ok ? e.value : spec);
  }

  // Counts a DNS-querying term; false when the limit makes the evaluation a permerror.
  bool countLookup(SpfNode& node, const std::string& term) {
    ++out_.lookups;
    node.lookups = 1;
    node.cumulative = out_.lookups;
    if (out_.lookups <= options_.lookup_limit) return true;
    if (!out_.limit_exceeded) {
      out_.limit_exceeded = true;
      out_.limit_exceeded_at = pathWith(term);
      node.notes.push_back("lookup limit of " + std::to_string(options_.lookup_limit) +
                           " exceeded here (RFC 7208 §4.6.4)");
      out_.issues.push_back({SpfIssueKind::TooManyLookups, "", term, out_.limit_exceeded_at});
    }
    return options_.audit && out_.lookups <= options_.audit_hard_cap;
  }

  // A NXDOMAIN or NODATA answer to a mechanism's query (§4.6.4). False past the void limit.
  bool voidOrNothing(const dns::DnsAnswer& a, SpfNode& node) {
    if (a.status == dns::DnsStatus::InvalidName) {
      node.notes.push_back("target is not a valid DNS name: no match");
      return true;
    }
    ++out_.void_lookups;
    ++node.voids;
    if (out_.void_lookups <= options_.void_limit) return true;
    node.notes.push_back("void lookup limit of " + std::to_string(options_.void_limit) +
                         " exceeded (RFC 7208 §4.6.4)");
    issue(SpfIssueKind::TooManyVoidLookups, node.domain, node.term,
          std::to_string(out_.void_lookups));
    return false;
  }

  dns::DnsAnswer ask(const std::string& name, std::uint16_t type, SpfNode& node) {
    dns::DnsAnswer a = resolver_.query(name, type);
    std::string summary =
        a.qname + " " + dns::typeName(type) + " " + std::string(dns::toString(a.status));
    if (a.hasRecords()) summary += " (" + std::to_string(a.records.size()) + ")";
    node.queries.push_back(std::move(summary));
    out_.answers.push_back(a);
    return a;
  }

  void lookupFailure(const dns::DnsAnswer& a) {
    // Past the lookup limit (audit walk) the RFC evaluation had already ended in permerror.
    if (out_.limit_exceeded) return;
    out_.lookup_failures.push_back({a.qname, a.qtype, a.status, pathWith("")});
  }

  void issue(SpfIssueKind kind, std::string domain, std::string term, std::string detail) {
    if (out_.limit_exceeded && kind != SpfIssueKind::TooManyLookups) return;
    out_.issues.push_back({kind, std::move(domain), std::move(term), std::move(detail)});
  }

  std::string pathWith(const std::string& term) const {
    std::string out;
    for (const auto& p : path_) out += (out.empty() ? "" : " > ") + p;
    if (!term.empty() && (path_.empty() || path_.back() != term))
      out += (out.empty() ? "" : " > ") + term;
    return out;
  }

  dns::Resolver& resolver_;
  IpAddress ip_;
  const SpfEvalOptions& options_;
  SpfEvaluation& out_;
  MacroContext ctx_;
  std::vector<std::string> path_;
};

}  // namespace

std::string_view toString(SpfResult r) {
  switch (r) {
    case SpfResult::None:
      return "none";
    case SpfResult::Neutral:
      return "neutral";
    case SpfResult::Pass:
      return "pass";
    case SpfResult::Fail:
      return "fail";
    case SpfResult::SoftFail:
      return "softfail";
    case SpfResult::TempError:
      return "temperror";
    case SpfResult::PermError:
      return "permerror";
  }
  return "permerror";
}

std::string_view toString(SpfIssueKind k) {
  switch (k) {
    case SpfIssueKind::SyntaxError:
      return "syntax_error";
    case SpfIssueKind::MultipleRecords:
      return "multiple_records";
    case SpfIssueKind::IncludeNoRecord:
      return "include_no_record";
    case SpfIssueKind::RedirectNoRecord:
      return "redirect_no_record";
    case SpfIssueKind::TooManyLookups:
      return "too_many_lookups";
    case SpfIssueKind::TooManyVoidLookups:
      return "too_many_void_lookups";
    case SpfIssueKind::TooManyMxRecords:
      return "too_many_mx_records";
    case SpfIssueKind::TooDeep:
      return "too_deep";
  }
  return "syntax_error";
}

int SpfNode::maxCumulative() const {
  int best = cumulative;
  for (const auto& c : children) best = std::max(best, c.maxCumulative());
  return best;
}

Json toJson(const SpfNode& node) {
  Json out = Json::object();
  if (!node.term.empty()) out.set("term", node.term);
  if (!node.domain.empty()) out.set("domain", node.domain);
  if (!node.record.empty()) out.set("record", node.record);
  out.set("lookups", node.lookups);
  out.set("cumulative_lookups", node.maxCumulative());
  if (node.voids) out.set("void_lookups", node.voids);
  if (!node.queries.empty()) {
    Json q = Json::array();
    for (const auto& s : node.queries) q.push(s);
    out.set("queries", q);
  }
  if (!node.result.empty()) out.set("result", node.result);
  if (!node.notes.empty()) {
    Json n = Json::array();
    for (const auto& s : node.notes) n.push(s);
    out.set("notes", n);
  }
  if (!node.children.empty()) {
    Json c = Json::array();
    for (const auto& child : node.children) c.push(toJson(child));
    out.set("children", c);
  }
  return out;
}

bool SpfEvaluation::hasIssue(SpfIssueKind k) const {
  return std::any_of(issues.begin(), issues.end(), [k](const SpfIssue& i) { return i.kind == k; });
}

SpfEvaluation checkHost(dns::Resolver& resolver, const IpAddress& ip, std::string_view domain,
                        std::string_view sender, std::string_view helo,
                        const SpfEvalOptions& options) {
  SpfEvaluation out;
  // §4.3: sender without local-part => "postmaster"; empty reverse-path => postmaster@<helo>.
  std::string full = sender.empty() ? "postmaster@" + std::string(helo) : std::string(sender);
  std::size_t at = full.rfind('@');
  std::string local = at == std::string::npos ? "" : full.substr(0, at);
  std::string senderDomain = at == std::string::npos ? full : full.substr(at + 1);
  if (local.empty()) {
    local = "postmaster";
    full = local + "@" + senderDomain;
  }
  Evaluator evaluator(resolver, ip, options, out);
  evaluator.setIdentity(full, local, senderDomain, std::string(helo));
  Outcome o = evaluator.evaluate(std::string(domain), out.tree, true, 0);
  out.result = o.result;
  if (out.limit_exceeded) out.result = SpfResult::PermError;
  if (out.result == SpfResult::Fail) {
    out.explanation = o.explanation;
    out.explanation_default = o.explanation_default;
  }
  return out;
}

SpfEvaluation auditSpf(dns::Resolver& resolver, std::string_view domain,
                       std::string_view client) {
  SpfEvalOptions options;
  options.audit = true;
  auto ip = IpAddress::parse(client);
  std::string d = dns::normaliseName(domain);
  return checkHost(resolver, *ip, d, "postmaster@" + d, d, options);
}

}  // namespace mh::spf
