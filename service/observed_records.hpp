// The raw records an audit saw (SPF, DMARC, MX, DKIM keys, MTA-STS, TLS-RPT), taken from check
// evidence.
#pragma once

#include <vector>

#include "checks/audit/domain_audit.hpp"
#include "service/store/result_store.hpp"

namespace mh::service {

// Pure: reads every check's evidence JSON (tolerating missing or reshaped members) and returns
// the records worth comparing between runs, without duplicates, in a stable order:
//  - <domain> TXT: each SPF record text ("v=spf1 ...") at the domain (SPF-01..03 evidence);
//  - _dmarc.<name> TXT: each DMARC record text of the own and, when asked, organisational lookup;
//  - <domain> MX: each MX rdata as "10 mx1.example.gov.vn" (no TTL, no trailing dot);
//  - <selector>._domainkey.<domain> DKIM: "rsa 2048" per key found ("ed25519 256"; a key that is
//    not usable adds its state, e.g. "rsa 1024 revoked");
//  - _mta-sts.<domain> TXT and _smtp._tls.<domain> TXT: the record texts;
//  - mta-sts.<domain> MTA-STS-POLICY: "mode=enforce max_age=86400 mx=mx1.example,mx2.example"
//    when a policy was fetched and parsed.
// A lookup that failed (SERVFAIL, timeout, ...) is kept as one value "(lookup error: STATUS)"
// under its name and type, so history shows "unknown" instead of claiming the record vanished.
// A name that does not exist or has no such record adds nothing.
std::vector<store::ObservedRecord> observedRecords(const audit::DomainReport& report);

}  // namespace mh::service
