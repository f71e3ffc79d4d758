// MTASTS-01 cross-check (RFC 8461 §4.1-§4.2, §5.1): the MX hosts a policy covers, judged on the
// STARTTLS evidence of TLS-01..04: no STARTTLS or a certificate not valid for the MX name.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "checks/core/check_result.hpp"
#include "checks/mta_sts/mta_sts_check.hpp"
#include "checks/tls/tls_check.hpp"

namespace mh::mta_sts {

// What one probed address of a covered MX host tells a sender that applies the policy.
enum class MxTlsVerdict {
  Valid,               // STARTTLS and a certificate that is PKIX-valid for the MX host name
  NoStartTls,          // a completed dialogue without a usable STARTTLS (not offered, refused,
                       // or a handshake the server's TLS stack rejected)
  CertificateInvalid,  // expired or not yet valid, self-signed or untrusted chain, wrong name
  NotTested,           // could not tell: timeout, refused, 4xx, address not probed, no facts
};

std::string_view toString(MxTlsVerdict v);

struct MxTlsAddressVerdict {
  MxTlsVerdict verdict = MxTlsVerdict::NotTested;
  std::string reason;  // English, for the finding and the evidence; empty when Valid
};

// Pure: one address of an MX host, its certificate dates judged at `now`.
MxTlsAddressVerdict judgeMxTlsAddress(const tls::TlsAddressEvidence& a,
                                      std::chrono::system_clock::time_point now);

struct MxTlsCrossCheck {
  // Per covered MX host and defect: MTASTS_ENFORCE_MX_* (fail) or MTASTS_TESTING_MX_* (warn),
  // never a finding for a host that no completed probe showed at fault.
  std::vector<Finding> findings;
  Json evidence;  // per covered host, per address: the verdict; null when not judged
};

// Judged only for a fetched, valid policy in mode enforce or testing; otherwise (no policy, mode
// none, or tls == nullptr: not probed, --no-smtp) no finding and null evidence. A host is covered
// when it is a name that matches an mx pattern (§4.1); uncovered hosts are MTASTS_MX_NOT_COVERED's.
MxTlsCrossCheck crossCheckMxTls(const MtaStsEvidence& e, const tls::TlsEvidence* tls,
                                std::chrono::system_clock::time_point now);

}  // namespace mh::mta_sts
