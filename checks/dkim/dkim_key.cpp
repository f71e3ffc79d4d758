// DKIM key record parser: tag-list syntax (RFC 6376 §3.2), key tags (§3.6.1), key material via
// OpenSSL.
#include "checks/dkim/dkim_key.hpp"
#include "checks/core/text.hpp"
#include "checks/tls/openssl_ptr.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>

namespace mh::dkim {
namespace {

using tls::EvpPkeyPtr;

constexpr std::size_t kEd25519KeySize = 32;  // RFC 8463 §4.2: the raw 32-byte public key

using ascii::isAlpha;
using ascii::isDigit;
using ascii::trim;
// FWS in a tag list may fold lines (RFC 6376 §3.2): space, tab, CR and LF.
constexpr bool isWsp(char c) { return ascii::isSpace(c); }

// tag-name = ALPHA *ALNUMPUNC, ALNUMPUNC = ALPHA / DIGIT / "_" (RFC 6376 §3.2).
bool isTagName(std::string_view s) {
  if (s.empty() || !isAlpha(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return isAlpha(c) || isDigit(c) || c == '_'; });
}

// A colon-separated list (h=, s=, t=); whitespace around the items is FWS and dropped.
std::vector<std::string> splitColon(std::string_view value) {
  std::vector<std::string> out;
  while (true) {
    auto colon = value.find(':');
    auto item = trim(value.substr(0, colon));
    if (!item.empty()) out.emplace_back(item);
    if (colon == std::string_view::npos) break;
    value.remove_prefix(colon + 1);
  }
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Parses DER as SubjectPublicKeyInfo, or else as a bare PKCS#1 RSAPublicKey. RFC 6376 §3.6.1
// literally names RSAPublicKey, but its Appendix C and nearly every signer publish SPKI;
// verifiers (OpenDKIM, dkimpy) accept both, so do we. d2i_PublicKey(EVP_PKEY_RSA) decodes the
// PKCS#1 form into an EVP_PKEY without the deprecated RSA* API of d2i_RSAPublicKey.
EvpPkeyPtr decodeDer(const std::string& der, std::string& format) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (key) {
    format = "spki";
    return key;
  }
  p = reinterpret_cast<const unsigned char*>(der.data());
  key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
  if (key) format = "pkcs1";
  ERR_clear_error();
  return key;
}

bool isRsa(const EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  return id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS;
}

// Decodes p= and fills algorithm, bits and format, or sets the Unusable problem.
void judgeKeyMaterial(DkimKey& key) {
  std::string raw;
  if (!decodeBase64(key.public_key, raw)) {
    key.state = DkimKeyState::Unusable;
    key.problem = "p= is not valid base64";
    return;
  }
  if (key.key_type == "rsa") {
    std::string format;
    EvpPkeyPtr pkey = decodeDer(raw, format);
    if (!pkey) {
      key.state = DkimKeyState::Unusable;
      key.problem = raw.size() == kEd25519KeySize
                        ? "k=rsa but p= holds 32 raw bytes (an Ed25519 key?)"
                        : "p= is not a DER RSA public key (corrupt or truncated)";
      return;
    }
    if (!isRsa(pkey.get())) {
      key.state = DkimKeyState::Unusable;
      key.problem = "k=rsa but p= holds a non-RSA key";
      return;
    }
    key.algorithm = DkimKeyAlgorithm::Rsa;
    key.key_bits = EVP_PKEY_get_bits(pkey.get());
    key.key_format = format;
    return;
  }
  // k=ed25519 (RFC 8463 §4.2): p= is the raw 32-byte public key, not DER.
  if (raw.size() != kEd25519KeySize) {
    std::string format;
    EvpPkeyPtr pkey = decodeDer(raw, format);
    key.state = DkimKeyState::Unusable;
    if (pkey && isRsa(pkey.get())) {
      key.problem = "k=ed25519 but p= holds an RSA key";
    } else {
      key.problem = "Ed25519 key is " + std::to_string(raw.size()) + " bytes, not 32";
    }
    return;
  }
  key.algorithm = DkimKeyAlgorithm::Ed25519;
  key.key_bits = 256;
  key.key_format = "raw";
}

void setInvalid(DkimKey& key, std::string problem) {
  key.state = DkimKeyState::Invalid;
  key.problem = std::move(problem);
}

}  // namespace

std::string_view toString(DkimKeyState s) {
  switch (s) {
    case DkimKeyState::Usable:
      return "usable";
    case DkimKeyState::Revoked:
      return "revoked";
    case DkimKeyState::NotForEmail:
      return "not_for_email";
    case DkimKeyState::Unusable:
      return "unusable";
    case DkimKeyState::Invalid:
      return "invalid";
  }
  return "invalid";
}

std::string_view toString(DkimKeyAlgorithm a) {
  switch (a) {
    case DkimKeyAlgorithm::Rsa:
      return "rsa";
    case DkimKeyAlgorithm::Ed25519:
      return "ed25519";
    case DkimKeyAlgorithm::Unknown:
      return "unknown";
  }
  return "unknown";
}

bool DkimKey::sha1Only() const {
  return contains(hash_algorithms, "sha1") && !contains(hash_algorithms, "sha256");
}

bool decodeBase64(std::string_view text, std::string& out) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  int padding = 0;
  std::size_t symbols = 0;
  for (char c : text) {
    if (isWsp(c)) continue;
    if (c == '=') {
      ++padding;
      ++symbols;
      continue;
    }
    int v = base64Value(c);
    if (v < 0 || padding > 0) return false;  // a bad character, or data after padding
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    ++symbols;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (padding > 2) return false;
  // With padding the length must be a multiple of 4; without, a lone 6-bit symbol is impossible.
  if (padding > 0 && symbols % 4 != 0) return false;
  if (symbols % 4 == 1) return false;
  return true;
}

DkimKey parseDkimKey(std::string_view text) {
  DkimKey key;
  std::string_view trimmed = trim(text);
  key.looks_like_dkim = trimmed.starts_with("v=DKIM1");

  // tag-list = tag-spec *( ";" tag-spec ) [ ";" ] (RFC 6376 §3.2). Empty specs (";;") are
  // tolerated as verifiers do; a spec without "=" or with a bad tag name is a syntax error.
  std::string_view rest = text;
  bool syntaxOk = true;
  while (true) {
    auto semi = rest.find(';');
    std::string_view spec = trim(rest.substr(0, semi));
    if (!spec.empty()) {
      auto eq = spec.find('=');
      if (eq == std::string_view::npos) {
        if (syntaxOk) setInvalid(key, "tag without '=': " + std::string(spec.substr(0, 40)));
        syntaxOk = false;
      } else {
        std::string_view name = trim(spec.substr(0, eq));
        std::string_view value = trim(spec.substr(eq + 1));
        if (!isTagName(name)) {
          if (syntaxOk) setInvalid(key, "bad tag name: " + std::string(name.substr(0, 40)));
          syntaxOk = false;
        } else {
          key.tags.push_back({std::string(name), std::string(value)});
        }
      }
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  const DkimTag* p = nullptr;
  for (const auto& t : key.tags)
    if (t.name == "p") p = &t;
  if (p != nullptr) key.looks_like_dkim = true;
  if (!syntaxOk) return key;

  // "Tags with duplicate names MUST NOT occur ... the entire tag-list is invalid" (§3.2).
  for (std::size_t i = 0; i < key.tags.size(); ++i)
    for (std::size_t j = i + 1; j < key.tags.size(); ++j)
      if (key.tags[i].name == key.tags[j].name) {
        setInvalid(key, "duplicate tag " + key.tags[i].name + "=");
        return key;
      }

  for (std::size_t i = 0; i < key.tags.size(); ++i) {
    const auto& [name, value] = key.tags[i];
    if (name == "v") {
      // "If specified, this tag MUST be set to "DKIM1" ... MUST be the first tag in the record.
      // Records beginning with a "v=" tag with any other value MUST be discarded." (§3.6.1)
      key.version = value;
      if (i != 0) {
        setInvalid(key, "v= is not the first tag");
        return key;
      }
      if (value != "DKIM1") {
        setInvalid(key, "v=" + value.substr(0, 40) + " is not DKIM1");
        return key;
      }
    } else if (name == "k") {
      key.key_type = value;  // case-sensitive (§3.2: tag values are case-sensitive)
    } else if (name == "h") {
      key.hash_algorithms = splitColon(value);
    } else if (name == "s") {
      key.service_types = splitColon(value);
    } else if (name == "t") {
      key.flags = splitColon(value);
      key.testing = contains(key.flags, "y");
      key.strict = contains(key.flags, "s");
    } else if (name == "p") {
      for (char c : value)
        if (!isWsp(c)) key.public_key.push_back(c);
    }
    // n= (notes) and unknown tags (e.g. g= of RFC 4871) are ignored (§3.2 "Unrecognized tags
    // MUST be ignored").
  }
  if (p == nullptr) {
    setInvalid(key, "p= is missing (required)");
    return key;
  }
  if (key.public_key.empty()) {
    key.state = DkimKeyState::Revoked;
    return key;
  }
  // "Unrecognized key types MUST be ignored" (§3.6.1): a verifier cannot use the key.
  if (key.key_type != "rsa" && key.key_type != "ed25519") {
    key.state = DkimKeyState::Unusable;
    key.problem = "unknown key type k=" + key.key_type.substr(0, 40);
    return key;
  }
  key.state = DkimKeyState::Usable;
  judgeKeyMaterial(key);
  if (key.state != DkimKeyState::Usable) return key;
  // h=: "Unrecognized algorithms MUST be ignored"; a list of only unknown ones leaves none.
  if (!key.hash_algorithms.empty() && !contains(key.hash_algorithms, "sha1") &&
      !contains(key.hash_algorithms, "sha256")) {
    key.state = DkimKeyState::Unusable;
    key.problem = "h= lists no known hash algorithm";
    return key;
  }
  // s=: "Verifiers for a given service type MUST ignore this record if the appropriate type is
  // not listed"; unknown types are ignored, so s=foo leaves no email service (§3.6.1).
  if (!key.service_types.empty() && !contains(key.service_types, "*") &&
      !contains(key.service_types, "email")) {
    key.state = DkimKeyState::NotForEmail;
  }
  return key;
}

Json toJson(const DkimKey& key) {
  Json out = Json::object({{"state", std::string(toString(key.state))}});
  if (!key.problem.empty()) out.set("problem", key.problem);
  if (key.algorithm != DkimKeyAlgorithm::Unknown) {
    out.set("algorithm", std::string(toString(key.algorithm)));
    out.set("bits", key.key_bits);
    out.set("format", key.key_format);
  }
  if (!key.hash_algorithms.empty()) {
    Json h = Json::array();
    for (const auto& a : key.hash_algorithms) h.push(a);
    out.set("h", h);
  }
  if (!key.service_types.empty()) {
    Json s = Json::array();
    for (const auto& a : key.service_types) s.push(a);
    out.set("s", s);
  }
  if (!key.flags.empty()) {
    Json t = Json::array();
    for (const auto& a : key.flags) t.push(a);
    out.set("t", t);
  }
  return out;
}

}  // namespace mh::dkim
