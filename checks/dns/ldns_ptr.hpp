// unique_ptr owners for ldns C handles: the only place ldns *_free functions are named.
#pragma once

// ldns/common.h defines `bool`, `true` and `false` as macros unless stdbool.h came first, which
// breaks the C++ standard library; so stdbool.h is included first, and every file includes ldns
// through this header only.
#include <stdbool.h>  // NOLINT(modernize-deprecated-headers)

#include <ldns/ldns.h>

#include <memory>

namespace mh::dns {

struct LdnsPktFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct LdnsRrFree {
  void operator()(ldns_rr* p) const { ldns_rr_free(p); }
};
struct LdnsRrListFree {
  void operator()(ldns_rr_list* p) const { ldns_rr_list_deep_free(p); }
};
struct LdnsRdfFree {
  void operator()(ldns_rdf* p) const { ldns_rdf_deep_free(p); }
};
struct LdnsResolverFree {
  void operator()(ldns_resolver* p) const { ldns_resolver_deep_free(p); }
};
struct LdnsBufferFree {
  void operator()(ldns_buffer* p) const { ldns_buffer_free(p); }
};
// A list that does not own its RRs (ldns_rr_list_free frees the list, not the RRs).
struct LdnsRrListShallowFree {
  void operator()(ldns_rr_list* p) const { ldns_rr_list_free(p); }
};
struct LdnsKeyFree {
  void operator()(ldns_key* p) const { ldns_key_deep_free(p); }
};
struct LdnsKeyListFree {
  void operator()(ldns_key_list* p) const { ldns_key_list_free(p); }
};

using LdnsPktPtr = std::unique_ptr<ldns_pkt, LdnsPktFree>;
using LdnsRrPtr = std::unique_ptr<ldns_rr, LdnsRrFree>;
using LdnsRrListPtr = std::unique_ptr<ldns_rr_list, LdnsRrListFree>;
using LdnsRdfPtr = std::unique_ptr<ldns_rdf, LdnsRdfFree>;
using LdnsResolverPtr = std::unique_ptr<ldns_resolver, LdnsResolverFree>;
using LdnsBufferPtr = std::unique_ptr<ldns_buffer, LdnsBufferFree>;
using LdnsRrListViewPtr = std::unique_ptr<ldns_rr_list, LdnsRrListShallowFree>;
using LdnsKeyPtr = std::unique_ptr<ldns_key, LdnsKeyFree>;
using LdnsKeyListPtr = std::unique_ptr<ldns_key_list, LdnsKeyListFree>;

}  // namespace mh::dns
