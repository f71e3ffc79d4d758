// Test helper: throw-away DNSSEC keys and RRSIGs made in-process with ldns, for hand-signed
// fixtures.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "checks/dns/ldns_ptr.hpp"

namespace mh::dnssec::testing {

inline std::string rrText(const ldns_rr* rr) {
  char* s = ldns_rr2str(rr);
  std::string out(s ? s : "");
  std::free(s);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// An ECDSA P-256 key (algorithm 13) for `zone` ("." or "example."), flags 257 (KSK) or 256.
class TestKey {
 public:
  explicit TestKey(const std::string& zone, std::uint16_t flags = 257) {
    ldns_key* key = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256);
    if (!key) throw std::runtime_error("ldns_key_new_frm_algorithm failed");
    // The list owns the key (ldns_key_list_pop_key of the last key double-frees in ldns 1.8.3).
    keys_.reset(ldns_key_list_new());
    ldns_key_list_push_key(keys_.get(), key);
    key_ = key;
    ldns_key_set_pubkey_owner(key_, ldns_dname_new_frm_str(zone.c_str()));
    ldns_key_set_flags(key_, flags);
    dns::LdnsRrPtr rr(ldns_key2rr(key_));
    ldns_rr_set_ttl(rr.get(), 300);
    ldns_key_set_keytag(key_, ldns_calc_keytag(rr.get()));
    dnskey_ = rrText(rr.get());
    dns::LdnsRrPtr ds(ldns_key_rr2ds(rr.get(), LDNS_SHA256));
    ds_ = rrText(ds.get());
  }
  const std::string& dnskey() const { return dnskey_; }
  const std::string& ds() const { return ds_; }
  std::uint16_t keytag() const { return ldns_key_keytag(key_); }

  // RRSIG lines over the RRset given as zone-file lines (one RRset: same owner and type).
  std::vector<std::string> sign(const std::vector<std::string>& rrset, std::uint32_t inception,
                                std::uint32_t expiration) const {
    dns::LdnsRrListPtr list(ldns_rr_list_new());
    for (const auto& line : rrset) {
      ldns_rr* raw = nullptr;
      if (ldns_rr_new_frm_str(&raw, line.c_str(), 300, nullptr, nullptr) != LDNS_STATUS_OK)
        throw std::runtime_error("bad fixture RR: " + line);
      ldns_rr_list_push_rr(list.get(), raw);
    }
    ldns_key_set_inception(key_, inception);
    ldns_key_set_expiration(key_, expiration);
    dns::LdnsRrListPtr sigs(ldns_sign_public(list.get(), keys_.get()));
    std::vector<std::string> out;
    for (std::size_t i = 0; sigs && i < ldns_rr_list_rr_count(sigs.get()); ++i)
      out.push_back(rrText(ldns_rr_list_rr(sigs.get(), i)));
    if (out.empty()) throw std::runtime_error("ldns_sign_public made no signature");
    return out;
  }

 private:
  dns::LdnsKeyListPtr keys_;
  ldns_key* key_ = nullptr;  // owned by keys_
  std::string dnskey_;
  std::string ds_;
};

}  // namespace mh::dnssec::testing
