// Organisational domain from the Public Suffix List (RFC 7489 §3.2), a small RAII wrapper over
// libpsl.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct psl_ctx_st;

namespace mh::dmarc {

// The list is loaded once and is read-only afterwards, so one instance can be shared by every
// worker thread (libpsl lookups do not modify the context).
class PublicSuffixList {
 public:
  // Loads a list in the publicsuffix.org text format (e.g. MH_PSL_FILE); nullptr when the file
  // cannot be read or parsed.
  static std::unique_ptr<PublicSuffixList> load(const std::string& path);

  // RFC 7489 §3.2: the public suffix that matches the most labels, plus one label. A name that
  // is itself a public suffix (or an empty or invalid name) is returned as it is. The result is
  // lower case without a trailing dot. Unknown TLDs follow the PSL default rule "*", so
  // "a.b.example.test" gives "example.test".
  std::string organizationalDomain(std::string_view domain) const;

  // True when the name is a public suffix (e.g. "gov.vn", "vn").
  bool isPublicSuffix(std::string_view domain) const;

 private:
  struct Free {
    void operator()(psl_ctx_st* p) const;
  };
  explicit PublicSuffixList(psl_ctx_st* ctx) : ctx_(ctx) {}
  std::unique_ptr<psl_ctx_st, Free> ctx_;
};

}  // namespace mh::dmarc
