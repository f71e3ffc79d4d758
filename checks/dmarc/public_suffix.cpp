// Organisational domain from the Public Suffix List via libpsl (RFC 7489 §3.2).
#include "checks/dmarc/public_suffix.hpp"

#include <libpsl.h>

#include "checks/dns/dns_types.hpp"

namespace mh::dmarc {

void PublicSuffixList::Free::operator()(psl_ctx_st* p) const {
  psl_free(p);
}

std::unique_ptr<PublicSuffixList> PublicSuffixList::load(const std::string& path) {
  psl_ctx_st* ctx = psl_load_file(path.c_str());
  if (ctx == nullptr) return nullptr;
  return std::unique_ptr<PublicSuffixList>(new PublicSuffixList(ctx));
}

std::string PublicSuffixList::organizationalDomain(std::string_view domain) const {
  std::string name = dns::normaliseName(domain);
  if (name.empty() || name == "." || !dns::isValidDnsName(name)) return name;
  // psl_registrable_domain returns a pointer into `name`, or NULL when the name is a public
  // suffix itself (no label to add): then the name is its own organisational domain.
  const char* reg = psl_registrable_domain(ctx_.get(), name.c_str());
  if (reg == nullptr) return name;
  return std::string(reg);
}

bool PublicSuffixList::isPublicSuffix(std::string_view domain) const {
  std::string name = dns::normaliseName(domain);
  if (name.empty()) return false;
  return psl_is_public_suffix(ctx_.get(), name.c_str()) != 0;
}

}  // namespace mh::dmarc
