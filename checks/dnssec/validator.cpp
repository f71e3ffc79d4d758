// Chain-of-trust validation over ldns_rr objects rebuilt from our records (RFC 4035 §5, RFC 5155
// §8).
#include "checks/dnssec/validator.hpp"

#include <cstdlib>
#include <utility>

#include "checks/dns/ldns_ptr.hpp"

namespace mh::dnssec {

namespace {

using dns::DnsAnswer;
using dns::DnsRecord;
using dns::DnsStatus;

std::string ownedString(char* s) {
  if (s == nullptr) return {};
  std::string out(s);
  std::free(s);
  return out;
}

std::string nameOf(const ldns_rdf* rdf) {
  return rdf ? dns::normaliseName(ownedString(ldns_rdf2str(rdf))) : std::string();
}

dns::LdnsRrPtr toLdns(const DnsRecord& r) {
  ldns_rr* raw = nullptr;
  if (ldns_rr_new_frm_str(&raw, r.presentation.c_str(), r.ttl, nullptr, nullptr) !=
      LDNS_STATUS_OK) {
    dns::LdnsRrPtr drop(raw);
    return {};
  }
  return dns::LdnsRrPtr(raw);
}

// A list owning copies of the records; nullptr when one does not rebuild.
dns::LdnsRrListPtr toList(const std::vector<DnsRecord>& records) {
  dns::LdnsRrListPtr list(ldns_rr_list_new());
  for (const auto& r : records) {
    auto rr = toLdns(r);
    if (!rr) return {};
    ldns_rr_list_push_rr(list.get(), rr.release());
  }
  return list;
}

std::uint16_t coveredType(const ldns_rr* sig) {
  const ldns_rdf* t = ldns_rr_rrsig_typecovered(sig);
  return t ? static_cast<std::uint16_t>(ldns_rdf2rr_type(t)) : 0;
}

std::string queryText(const std::string& name, std::uint16_t type) {
  return name + " " + dns::typeName(type);
}

Validation make(SecurityStatus status, std::string_view why, std::string detail, std::string zone) {
  Validation v;
  v.status = status;
  v.reason = std::string(why);
  v.detail = std::move(detail);
  v.zone = std::move(zone);
  return v;
}

Validation lookupError(const DnsAnswer& a, const std::string& zone) {
  std::string detail = queryText(a.qname, a.qtype) + ": " + std::string(dns::toString(a.status));
  if (!a.error.empty()) detail += " (" + a.error + ")";
  return make(SecurityStatus::Indeterminate, reason::kLookupError, detail, zone);
}

bool unusable(const DnsAnswer& a) {
  return a.isError() || a.status == DnsStatus::InvalidName;
}

std::string keyTags(const std::vector<DnsRecord>& records) {
  std::string out;
  for (const auto& r : records) {
    auto rr = toLdns(r);
    if (!rr) continue;
    if (!out.empty()) out += ", ";
    if (r.type == dns::rr::DNSKEY)
      out += std::to_string(ldns_calc_keytag(rr.get()));
    else if (ldns_rr_rd_count(rr.get()) >= 1)
      out += std::to_string(ldns_rdf2native_int16(ldns_rr_rdf(rr.get(), 0)));
  }
  return out.empty() ? "none" : out;
}

// RFC 4035 §5.3: some RRSIG over the RRset, by `zone`, verifies with one of `keys` at `now`.
Validation checkSignatures(const std::vector<DnsRecord>& rrset,
                           const std::vector<DnsRecord>& signatures,
                           const std::vector<DnsRecord>& keys, const std::string& zone,
                           std::int64_t now) {
  const std::string owner = rrset.empty() ? std::string() : rrset.front().owner;
  const std::uint16_t type = rrset.empty() ? 0 : rrset.front().type;
  const std::string what = queryText(owner, type);
  auto rrList = toList(rrset);
  auto keyList = toList(keys);
  if (!rrList || !keyList)
    return make(SecurityStatus::Indeterminate, reason::kLookupError,
                what + ": a record could not be rebuilt for verification", zone);

  std::string_view worst = reason::kSignatureMissing;
  std::string detail = what + ": no RRSIG by " + zone;
  bool onlyUnsupported = true;
  bool any = false;
  for (const auto& s : signatures) {
    if (s.owner != owner) continue;
    auto sig = toLdns(s);
    if (!sig || coveredType(sig.get()) != type) continue;
    const std::string signer = nameOf(ldns_rr_rrsig_signame(sig.get()));
    if (signer != zone) {
      if (!any) detail = what + ": RRSIG by " + signer + ", not by the zone " + zone;
      continue;
    }
    any = true;
    const ldns_status st = ldns_verify_rrsig_keylist_time(rrList.get(), sig.get(), keyList.get(),
                                                          static_cast<time_t>(now), nullptr);
    if (st == LDNS_STATUS_OK)
      return make(SecurityStatus::Secure, reason::kSigned,
                  what + ": RRSIG by " + zone + " verified", zone);
    if (st != LDNS_STATUS_CRYPTO_ALGO_NOT_IMPL && st != LDNS_STATUS_CRYPTO_UNKNOWN_ALGO)
      onlyUnsupported = false;
    std::string_view r = reason::kSignatureInvalid;
    if (st == LDNS_STATUS_CRYPTO_SIG_EXPIRED) r = reason::kSignatureExpired;
    if (st == LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED) r = reason::kSignatureNotYetValid;
    // Expiry is the most telling reason: keep it over a plain "invalid".
    if (worst != reason::kSignatureExpired) {
      worst = r;
      detail = what + ": RRSIG by " + zone + ": " + ldns_get_errorstr_by_id(st);
    }
  }
  if (any && onlyUnsupported)
    return make(SecurityStatus::Insecure, reason::kUnsupportedAlgorithm,
                what + ": signed only with algorithms this validator does not implement", zone);
  return make(SecurityStatus::Bogus, worst, detail, zone);
}

bool bitmapHas(const ldns_rr* nsec, ldns_rr_type type) {
  const ldns_rdf* bitmap = ldns_nsec_get_bitmap(nsec);
  return bitmap && ldns_nsec_bitmap_covers_type(bitmap, type);
}

// A DS digest we can compute and a key algorithm we can verify (RFC 4035 §5.2: a DS set with
// neither is treated as an insecure delegation).
bool dsUsable(const ldns_rr* ds) {
  if (ldns_rr_rd_count(ds) < 4) return false;
  const int algorithm = ldns_rdf2native_int8(ldns_rr_rdf(ds, 1));
  const int digest = ldns_rdf2native_int8(ldns_rr_rdf(ds, 2));
  return (digest == LDNS_SHA1 || digest == LDNS_SHA256 || digest == LDNS_SHA384) &&
         ldns_key_algo_supported(algorithm);
}

ChainStep stepOf(const std::string& name, std::string what, const Validation& v) {
  return ChainStep{name, std::move(what), v.status, v.detail};
}

}  // namespace

std::string_view toString(SecurityStatus s) {
  switch (s) {
    case SecurityStatus::Indeterminate:
      return "indeterminate";
    case SecurityStatus::Bogus:
      return "bogus";
    case SecurityStatus::Insecure:
      return "insecure";
    case SecurityStatus::Secure:
      return "secure";
  }
  return "indeterminate";
}

Json toJson(const Validation& v) {
  Json chain = Json::array();
  for (const auto& s : v.chain)
    chain.push(Json::object({{"name", s.name},
                             {"step", s.what},
                             {"status", std::string(toString(s.status))},
                             {"detail", s.detail}}));
  return Json::object({{"status", std::string(toString(v.status))},
                       {"reason", v.reason},
                       {"detail", v.detail},
                       {"zone", v.zone},
                       {"chain", chain}});
}

Validator::Validator(dns::Resolver& resolver, const TrustAnchors& anchors,
                     std::chrono::system_clock::time_point now)
    : resolver_(resolver),
      anchors_(anchors),
      now_(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()) {}

// RFC 4035 §5: the anchored zone's DNSKEY RRset, signed by a key the anchor names.
const Validator::ZoneState& Validator::anchorState(const std::string& zone) {
  if (auto it = anchorStates_.find(zone); it != anchorStates_.end()) return it->second;
  ZoneState st;
  const DnsAnswer keys = resolver_.query(zone, dns::rr::DNSKEY);
  if (unusable(keys)) {
    st.v = lookupError(keys, zone);
  } else if (!keys.hasRecords()) {
    st.v = make(SecurityStatus::Bogus, reason::kDnskeyMissing,
                "the trust anchor's zone " + zone + " answers no DNSKEY", zone);
  } else if (keys.signatures.empty()) {
    // The anchored zone is signed (that is what an anchor says): an RRset without any RRSIG here
    // means the resolver does not pass DNSSEC records on, not that the zone is broken.
    st.v = make(SecurityStatus::Indeterminate, reason::kNoDnssecFromResolver,
                queryText(zone, dns::rr::DNSKEY) +
                    ": answered without RRSIG; the resolver does not return DNSSEC records",
                zone);
  } else {
    std::vector<DnsRecord> trusted;
    for (const auto& k : keys.records) {
      auto key = toLdns(k);
      if (!key) continue;
      for (const auto& a : anchors_.forZone(zone)) {
        bool match = false;
        if (a.type == dns::rr::DNSKEY) {
          match = a.data == k.data;
        } else if (auto ds = toLdns(a)) {
          match = ldns_rr_compare_ds(ds.get(), key.get());
        }
        if (match) {
          trusted.push_back(k);
          break;
        }
      }
    }
    if (trusted.empty()) {
      st.v = make(SecurityStatus::Bogus, reason::kAnchorMismatch,
                  "no DNSKEY of " + zone + " (key tags " + keyTags(keys.records) +
                      ") matches the trust anchor (" + keyTags(anchors_.forZone(zone)) + ")",
                  zone);
    } else {
      st.v = checkSignatures(keys.records, keys.signatures, trusted, zone, now_);
      if (st.v.status == SecurityStatus::Secure) {
        st.v.detail = "DNSKEY RRset of " + zone + " signed by anchored key " + keyTags(trusted);
        st.keys = keys.records;
      }
    }
  }
  // Whatever goes wrong at the trust anchor itself (no DNSKEY, no key matching the anchor, bad
  // signatures on the anchor's keys) says something about our resolver or anchor file, never
  // about the audited domain: it is "could not tell", not bogus. A resolver that does not serve
  // DNSSEC must not turn every domain into a critical failure.
  if (st.v.status == SecurityStatus::Bogus) {
    st.v.status = SecurityStatus::Indeterminate;
    st.v.detail += " (at the trust anchor: the resolver or the anchor file, not the domain)";
  }
  st.v.zone = zone;
  st.v.chain.push_back(stepOf(zone, "anchor", st.v));
  return anchorStates_.emplace(zone, std::move(st)).first->second;
}

Validator::ZoneState Validator::walk(const std::string& name) {
  const auto anchor = anchors_.closestZone(name);
  if (!anchor) {
    ZoneState st;
    st.v = make(SecurityStatus::Indeterminate, reason::kNoTrustAnchor,
                "no trust anchor covers " + name, "");
    return st;
  }
  ZoneState state = anchorState(*anchor);
  // The names from just below the anchor down to `name`, e.g. test, lab.test, a.lab.test.
  std::vector<std::string> names;
  for (std::string n = name; n != *anchor && n != ".";) {
    names.push_back(n);
    const auto dot = n.find('.');
    n = dot == std::string::npos ? "." : n.substr(dot + 1);
  }
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (auto cached = walked_.find(*it); cached != walked_.end()) {
      state = cached->second;
      continue;
    }
    if (state.v.status == SecurityStatus::Secure && !state.nonexistent) state = step(state, *it);
    walked_[*it] = state;
  }
  return state;
}

// One name below a secure zone: a secure delegation, a proven insecure one, or no zone cut.
Validator::ZoneState Validator::step(const ZoneState& parent, const std::string& name) {
  ZoneState out = parent;
  const std::string& zone = parent.v.zone;
  const DnsAnswer ds = resolver_.query(name, dns::rr::DS);
  auto fail = [&](Validation v, const char* what) {
    ZoneState bad;
    v.chain = parent.v.chain;
    v.chain.push_back(stepOf(name, what, v));
    bad.v = std::move(v);
    return bad;
  };
  if (unusable(ds)) return fail(lookupError(ds, zone), "ds");
  if (!ds.cnames.empty()) {
    // An alias cannot be a delegation point (RFC 2181 §10.1): no zone cut here.
    out.v.chain.push_back(ChainStep{name, "not-a-cut", SecurityStatus::Secure, "alias"});
    return out;
  }

  if (!ds.hasRecords()) {
    bool delegation = false;
    Validation denial = verifyDenialOf(ds, name, parent, &delegation);
    if (denial.status != SecurityStatus::Secure) return fail(std::move(denial), "no-ds");
    if (delegation) {
      // RFC 4035 §5.2: a proven absence of DS at a delegation makes everything below insecure.
      ZoneState insecure;
      insecure.v =
          make(SecurityStatus::Insecure, reason::kInsecureDelegation,
               "signed proof from " + zone + " that the delegation " + name + " has no DS", name);
      insecure.v.chain = parent.v.chain;
      insecure.v.chain.push_back(stepOf(name, "no-ds", insecure.v));
      return insecure;
    }
    out.nonexistent = ds.status == DnsStatus::NxDomain;
    out.v.chain.push_back(ChainStep{name, "not-a-cut", SecurityStatus::Secure, denial.detail});
    return out;
  }

  // A DS RRset: it must be signed by the parent, and match a key of the child.
  Validation dsSig = checkSignatures(ds.records, ds.signatures, parent.keys, zone, now_);
  if (dsSig.status != SecurityStatus::Secure) return fail(std::move(dsSig), "ds");
  std::vector<DnsRecord> usableDs;
  for (const auto& d : ds.records)
    if (auto rr = toLdns(d); rr && dsUsable(rr.get())) usableDs.push_back(d);
  if (usableDs.empty()) {
    ZoneState insecure;
    insecure.v = make(SecurityStatus::Insecure, reason::kUnsupportedAlgorithm,
                      "every DS of " + name + " uses an algorithm or digest not implemented", name);
    insecure.v.chain = parent.v.chain;
    insecure.v.chain.push_back(stepOf(name, "ds", insecure.v));
    return insecure;
  }
  const DnsAnswer keys = resolver_.query(name, dns::rr::DNSKEY);
  if (unusable(keys)) return fail(lookupError(keys, name), "dnskey");
  if (!keys.hasRecords())
    return fail(
        make(SecurityStatus::Bogus, reason::kDnskeyMissing,
             "the parent " + zone + " has DS for " + name + " but " + name + " answers no DNSKEY",
             name),
        "dnskey");
  std::vector<DnsRecord> matching;
  for (const auto& k : keys.records) {
    auto key = toLdns(k);
    if (!key) continue;
    for (const auto& d : usableDs) {
      auto dsRr = toLdns(d);
      if (dsRr && ldns_rr_compare_ds(dsRr.get(), key.get())) {
        matching.push_back(k);
        break;
      }
    }
  }
  if (matching.empty())
    return fail(make(SecurityStatus::Bogus, reason::kDsMismatch,
                     "no DNSKEY of " + name + " (key tags " + keyTags(keys.records) +
                         ") matches its DS at " + zone + " (key tags " + keyTags(usableDs) + ")",
                     name),
                "ds");
  Validation keySig = checkSignatures(keys.records, keys.signatures, matching, name, now_);
  if (keySig.status != SecurityStatus::Secure) return fail(std::move(keySig), "dnskey");

  ZoneState secure;
  secure.v = make(SecurityStatus::Secure, reason::kSigned,
                  "DS " + keyTags(matching) + " at " + zone + " matches the DNSKEY RRset of " +
                      name + ", which it signs",
                  name);
  secure.v.chain = parent.v.chain;
  secure.v.chain.push_back(stepOf(name, "ds", secure.v));
  secure.keys = keys.records;
  return secure;
}

// RFC 4035 §5.4 / RFC 5155 §8: the NSEC or NSEC3 records of a negative answer, signed by the
// zone, deny `name`/qtype. `delegation` (when given) is set when the matching record shows a
// delegation without DS (NS without SOA in the bitmap) or an opt-out span (RFC 5155 §6).
Validation Validator::verifyDenialOf(const DnsAnswer& answer, const std::string& name,
                                     const ZoneState& zone, bool* delegation) {
  const std::string& z = zone.v.zone;
  std::vector<DnsRecord> nsecs;
  std::vector<DnsRecord> sigs;
  for (const auto& r : answer.denial) {
    if (r.type == dns::rr::NSEC || r.type == dns::rr::NSEC3) nsecs.push_back(r);
    if (r.type == dns::rr::RRSIG) sigs.push_back(r);
  }
  const std::string what = queryText(name, answer.qtype);
  if (nsecs.empty())
    return make(SecurityStatus::Bogus, reason::kDenialMissing,
                what + ": " + std::string(dns::toString(answer.status)) +
                    " without a signed NSEC/NSEC3 proof from the signed zone " + z,
                z);
  for (const auto& n : nsecs) {
    Validation v = checkSignatures({n}, sigs, zone.keys, z, now_);
    if (v.status != SecurityStatus::Secure) return v;
  }
  auto nsecList = toList(nsecs);
  auto sigList = toList(sigs);
  dns::LdnsRrPtr question(ldns_rr_new_frm_type(static_cast<ldns_rr_type>(answer.qtype)));
  ldns_rdf* owner = ldns_dname_new_frm_str(name.c_str());
  if (!nsecList || !sigList || !question || !owner) {
    dns::LdnsRdfPtr drop(owner);
    return make(SecurityStatus::Indeterminate, reason::kLookupError,
                what + ": the denial could not be rebuilt for verification", z);
  }
  ldns_rr_set_owner(question.get(), owner);
  const bool nsec3 = nsecs.front().type == dns::rr::NSEC3;
  ldns_status st = LDNS_STATUS_OK;
  bool cut = false;
  if (!nsec3) {
    st = ldns_dnssec_verify_denial(question.get(), nsecList.get(), sigList.get());
    for (const auto& n : nsecs) {
      if (n.owner != name) continue;
      auto rr = toLdns(n);
      cut = rr && bitmapHas(rr.get(), LDNS_RR_TYPE_NS) && !bitmapHas(rr.get(), LDNS_RR_TYPE_SOA);
    }
  } else {
    ldns_rr* match = nullptr;  // points into nsecList
    const bool nodata = answer.status == DnsStatus::NoData;
    st = ldns_dnssec_verify_denial_nsec3_match(question.get(), nsecList.get(), sigList.get(),
                                               nodata ? LDNS_RCODE_NOERROR : LDNS_RCODE_NXDOMAIN,
                                               static_cast<ldns_rr_type>(answer.qtype), nodata,
                                               &match);
    if (match)
      cut = bitmapHas(match, LDNS_RR_TYPE_NS) && !bitmapHas(match, LDNS_RR_TYPE_SOA);
    else
      cut = nodata;  // covered by an opt-out span (RFC 5155 §6)
  }
  if (st != LDNS_STATUS_OK)
    return make(SecurityStatus::Bogus, reason::kDenialInvalid,
                what + ": the " + std::string(nsec3 ? "NSEC3" : "NSEC") + " records of " + z +
                    " do not prove it: " + ldns_get_errorstr_by_id(st),
                z);
  if (delegation) *delegation = cut;
  return make(SecurityStatus::Secure, reason::kSigned,
              what + ": " + std::string(dns::toString(answer.status)) + " proven by signed " +
                  (nsec3 ? "NSEC3" : "NSEC") + " of " + z,
              z);
}

Validation Validator::zoneOf(std::string_view name) {
  return walk(dns::normaliseName(name)).v;
}

Validation Validator::validate(const DnsAnswer& answer) {
  if (unusable(answer)) {
    Validation v = lookupError(answer, "");
    return v;
  }
  std::optional<Validation> result;
  auto combine = [&](Validation v) {
    if (!result || v.status < result->status) result = std::move(v);
  };
  auto checkRrset = [&](const std::vector<DnsRecord>& rrset) {
    ZoneState z = walk(rrset.front().owner);
    if (z.v.status != SecurityStatus::Secure) return combine(std::move(z.v));
    Validation v = checkSignatures(rrset, answer.signatures, z.keys, z.v.zone, now_);
    v.chain = z.v.chain;
    v.chain.push_back(stepOf(rrset.front().owner, "rrset", v));
    combine(std::move(v));
  };
  for (const auto& c : answer.cnames) checkRrset({c});
  if (answer.hasRecords()) {
    checkRrset(answer.records);
  } else {
    const std::string name = answer.cnames.empty() ? answer.qname : answer.cnames.back().data;
    ZoneState z = walk(name);
    if (z.v.status != SecurityStatus::Secure) {
      combine(std::move(z.v));
    } else {
      Validation v = verifyDenialOf(answer, name, z, nullptr);
      v.chain = z.v.chain;
      v.chain.push_back(stepOf(name, "denial", v));
      combine(std::move(v));
    }
  }
  return *result;
}

Validation Validator::query(std::string_view name, std::uint16_t type, DnsAnswer& answer) {
  answer = resolver_.query(name, type);
  return validate(answer);
}

}  // namespace mh::dnssec
