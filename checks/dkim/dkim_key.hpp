// DKIM key record parser (RFC 6376 §3.6.1, RFC 8463 Ed25519, RFC 8301 key sizes): text to struct.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "checks/core/json.hpp"

namespace mh::dkim {

// What a verifier can do with the record, most usable first.
enum class DkimKeyState {
  Usable,       // a key an email verifier can use
  Revoked,      // p= is empty: "this public key has been revoked" (RFC 6376 §3.6.1)
  NotForEmail,  // s= lists neither "*" nor "email" (e.g. s=tlsrpt, RFC 8460 §3): ignored for mail
  Unusable,     // the record parses but its key cannot be used (unknown k=, bad base64 or DER,
                // wrong Ed25519 size, k= and key disagree, h= without a known hash)
  Invalid,      // not a valid key record: tag-list syntax, duplicate tag, v= not first or not
                // "DKIM1", p= missing (RFC 6376 §3.2, §3.6.1); verifiers ignore it
};

enum class DkimKeyAlgorithm { Unknown, Rsa, Ed25519 };

std::string_view toString(DkimKeyState s);
std::string_view toString(DkimKeyAlgorithm a);

struct DkimTag {
  std::string name;
  std::string value;
};

struct DkimKey {
  DkimKeyState state = DkimKeyState::Invalid;
  std::string problem;           // why Invalid or Unusable, a short English phrase
  bool looks_like_dkim = false;  // starts with "v=DKIM1" or has a p= tag: a DKIM record, even if
                                 // broken (a wildcard SPF TXT at a selector name is not)
  std::vector<DkimTag> tags;     // as written, values trimmed

  std::string version;                       // v= ("" when absent; it defaults to DKIM1)
  std::string key_type = "rsa";              // k= (default "rsa")
  std::vector<std::string> hash_algorithms;  // h= (empty: any)
  std::vector<std::string> service_types;    // s= (empty: the default "*")
  std::vector<std::string> flags;            // t=
  bool testing = false;                      // t=y
  bool strict = false;                       // t=s
  std::string public_key;                    // p= with whitespace removed (base64)

  DkimKeyAlgorithm algorithm = DkimKeyAlgorithm::Unknown;
  int key_bits = 0;        // RSA modulus size, 256 for Ed25519, 0 when unknown
  std::string key_format;  // "spki", "pkcs1" or "raw" (Ed25519)

  bool usableForEmail() const { return state == DkimKeyState::Usable; }
  // h= lists sha1 and no other known hash: only rsa-sha1 allowed, forbidden by RFC 8301 §3.1.
  bool sha1Only() const;
};

// Parses one key record (the TXT strings already joined). Never throws.
DkimKey parseDkimKey(std::string_view text);

// Decodes base64, skipping whitespace (FWS is allowed inside p=, RFC 6376 §3.6.1); false on a
// character outside the alphabet or bad padding.
bool decodeBase64(std::string_view text, std::string& out);

Json toJson(const DkimKey& key);

}  // namespace mh::dkim
