// TLS-01..04: gather (STARTTLS probe, enumeration, certificate facts per MX address) and judge.
#include "checks/tls/tls_check.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "checks/core/text.hpp"

namespace mh::tls {

namespace {

using dns::DnsStatus;

// Status of a tag is set where the finding is made; the catalogue holds wording and advice.
constexpr TagSpec kTags[] = {
    // TLS-01
    {"TLS_STARTTLS_OK", "TLS-01",
     "{host} ({address}) offers STARTTLS and completed a {protocol} handshake", "", "",
     "{host} ({address}) hỗ trợ STARTTLS và đã hoàn tất bắt tay {protocol}"},
    {"TLS_STARTTLS_MISSING", "TLS-01",
     "{host} ({address}) does not offer STARTTLS: mail to it travels unencrypted",
     "Enable STARTTLS (RFC 3207) on {host}: install a certificate for {host} and turn on TLS for "
     "incoming SMTP (Postfix: smtpd_tls_security_level = may; Exim: tls_advertise_hosts = *; "
     "Exchange: a certificate bound to the SMTP service).",
     "Bật STARTTLS (RFC 3207) trên {host}: cài chứng thư số cho {host} và bật TLS cho SMTP nhận "
     "thư (Postfix: smtpd_tls_security_level = may; Exim: tls_advertise_hosts = *; Exchange: gán "
     "chứng thư số cho dịch vụ SMTP).",
     "{host} ({address}) không hỗ trợ STARTTLS: thư gửi tới máy chủ này được truyền không mã hóa"},
    {"TLS_STARTTLS_REJECTED", "TLS-01",
     "{host} ({address}) advertises STARTTLS but refuses it: {reply}",
     "Fix the TLS configuration of {host} so that the STARTTLS command is answered 220 (check "
     "the certificate and key files the mail server is configured with).",
     "Sửa cấu hình TLS của {host} để lệnh STARTTLS được trả lời 220 (kiểm tra các tệp chứng thư "
     "số và khóa mà máy chủ thư đang dùng).",
     "{host} ({address}) quảng bá STARTTLS nhưng từ chối khi được yêu cầu: {reply}"},
    {"TLS_STARTTLS_HANDSHAKE_FAILED", "TLS-01",
     "{host} ({address}) advertises STARTTLS but no TLS 1.0-1.3 handshake succeeds: {detail}",
     "Make {host} complete TLS 1.2 or 1.3 handshakes with current clients: enable TLS 1.2/1.3 "
     "and ECDHE with AES-GCM or ChaCha20 suites, and check its certificate and key.",
     "Cấu hình {host} để hoàn tất bắt tay TLS 1.2 hoặc 1.3 với các máy khách hiện nay: bật TLS "
     "1.2/1.3 và các bộ mã ECDHE với AES-GCM hoặc ChaCha20, kiểm tra chứng thư số và khóa.",
     "{host} ({address}) quảng bá STARTTLS nhưng không bắt tay TLS 1.0-1.3 nào thành công: "
     "{detail}"},
    {"TLS_STARTTLS_TEMPORARY", "TLS-01",
     "{host} ({address}) answered STARTTLS with a temporary failure ({reply}); retried later", "",
     "", "{host} ({address}) trả lời STARTTLS bằng lỗi tạm thời ({reply}); sẽ thử lại sau"},
    {"TLS_NOT_TESTED", "TLS-01",
     "{host} ({address}) could not be tested ({outcome}: {detail}); retried later", "", "",
     "Không kiểm tra được {host} ({address}) ({outcome}: {detail}); sẽ thử lại sau"},
    {"TLS_TARGET_NOT_ALLOWED", "TLS-01",
     "{host} resolves to {address}, a {class} address: not reachable from the Internet, so the "
     "scanner did not connect",
     "Publish only public addresses for {host}: the A/AAAA record {address} ({class}) cannot "
     "receive mail from the Internet (a private or internal address leaked into public DNS).",
     "Chỉ công bố địa chỉ công cộng cho {host}: bản ghi A/AAAA {address} ({class}) không thể nhận "
     "thư từ Internet (địa chỉ nội bộ bị lộ ra DNS công cộng).",
     "{host} phân giải tới {address}, một địa chỉ {class}: không truy cập được từ Internet nên "
     "công cụ quét không kết nối"},
    {"TLS_MX_LOOKUP_ERROR", "TLS-01", "could not look up the addresses of {host} ({status})", "",
     "", "Không truy vấn được địa chỉ của {host} ({status})"},
    {"TLS_MX_NO_ADDRESS", "TLS-01", "{host} has no A or AAAA record: nothing to test", "", "",
     "{host} không có bản ghi A hay AAAA: không có gì để kiểm tra"},
    {"TLS_NO_MAIL_TARGETS", "TLS-01", "no MX host or address to test", "", "",
     "Không có máy chủ MX hay địa chỉ nào để kiểm tra"},
    {"TLS_NO_MX_ANSWER", "",
     "the MX lookup of {domain} could not be answered ({status}): no mail server could be tested",
     "", "",
     "Không nhận được trả lời cho truy vấn MX của {domain} ({status}): không kiểm tra được máy chủ "
     "thư nào"},
    {"TLS_MX_HOSTS_SKIPPED", "TLS-01", "{count} more MX host(s) not tested (limit {limit})", "", "",
     "Còn {count} máy chủ MX chưa được kiểm tra (giới hạn {limit})"},
    {"TLS_ADDRESSES_SKIPPED", "TLS-01",
     "{count} more MX address(es) not tested (the per-host and per-domain address caps)", "", "",
     "Còn {count} địa chỉ MX chưa được kiểm tra (giới hạn số địa chỉ mỗi máy chủ và mỗi tên miền)"},
    // TLS-02..04: an address without TLS evidence.
    {"TLS_ADDRESS_NOT_TESTED", "", "{host} ({address}) not judged: {reason}", "", "",
     "{host} ({address}) chưa được đánh giá: {reason}"},
    // TLS-02
    {"TLS_VERSIONS_OK", "TLS-02", "{host} ({address}) accepts {versions} only", "", "",
     "{host} ({address}) chỉ chấp nhận {versions}"},
    {"TLS_LEGACY_VERSION_OFFERED", "TLS-02",
     "{host} ({address}) still accepts {version} (deprecated by RFC 8996; NCSC-NL: insufficient)",
     "Disable TLS 1.0 and TLS 1.1 on {host} and keep TLS 1.2 and 1.3 (Postfix: "
     "smtpd_tls_protocols = >=TLSv1.2; Exim: openssl_options = +no_tlsv1 +no_tlsv1_1).",
     "Tắt TLS 1.0 và TLS 1.1 trên {host}, chỉ giữ TLS 1.2 và 1.3 (Postfix: smtpd_tls_protocols = "
     ">=TLSv1.2; Exim: openssl_options = +no_tlsv1 +no_tlsv1_1).",
     "{host} ({address}) vẫn chấp nhận {version} (đã bị RFC 8996 loại bỏ; NCSC-NL: không đạt)"},
    {"TLS_SSL_OFFERED", "TLS-02",
     "{host} ({address}) accepts {version}, which is broken (RFC 6176, RFC 7568)",
     "Disable SSLv2 and SSLv3 on {host} at once; upgrade the mail server's TLS library if it "
     "cannot.",
     "Tắt ngay SSLv2 và SSLv3 trên {host}; nâng cấp thư viện TLS của máy chủ thư nếu không tắt "
     "được.",
     "{host} ({address}) chấp nhận {version}, phiên bản đã bị phá vỡ (RFC 6176, RFC 7568)"},
    {"TLS_NO_MODERN_VERSION", "TLS-02",
     "{host} ({address}) accepts neither TLS 1.2 nor TLS 1.3 (accepted: {versions})",
     "Enable TLS 1.2 and TLS 1.3 on {host}; upgrade the mail server or its TLS library if needed.",
     "Bật TLS 1.2 và TLS 1.3 trên {host}; nâng cấp máy chủ thư hoặc thư viện TLS nếu cần.",
     "{host} ({address}) không chấp nhận TLS 1.2 lẫn TLS 1.3 (chấp nhận: {versions})"},
    {"TLS_VERSION_UNKNOWN", "TLS-02",
     "{host} ({address}): could not tell whether {version} is accepted ({detail}); retried later",
     "", "",
     "{host} ({address}): không xác định được {version} có được chấp nhận hay không ({detail}); sẽ "
     "thử lại sau"},
    {"TLS_VERSIONS_NOT_ENUMERATED", "TLS-02",
     "{host} ({address}) negotiated {protocol}; older versions were not probed in this run", "", "",
     "{host} ({address}) đã thỏa thuận {protocol}; các phiên bản cũ hơn chưa được dò trong lần "
     "chạy này"},
    // TLS-03
    {"TLS_CIPHERS_OK", "TLS-03",
     "{host} ({address}) prefers {suite} (forward secrecy, AEAD) and accepts no weak suite", "", "",
     "{host} ({address}) ưu tiên {suite} (forward secrecy, AEAD) và không chấp nhận bộ mã yếu nào"},
    {"TLS_CIPHER_INSUFFICIENT", "TLS-03",
     "{host} ({address}) accepts {kind} cipher suites (e.g. {suite} with {version})",
     "Remove {kind} cipher suites from {host}; offer ECDHE with AES-GCM or ChaCha20-Poly1305 "
     "(Postfix: smtpd_tls_mandatory_ciphers = high and smtpd_tls_exclude_ciphers = aNULL, eNULL, "
     "EXPORT, DES, 3DES, RC4, MD5).",
     "Loại bỏ các bộ mã {kind} khỏi {host}; dùng ECDHE với AES-GCM hoặc ChaCha20-Poly1305 "
     "(Postfix: smtpd_tls_mandatory_ciphers = high và smtpd_tls_exclude_ciphers = aNULL, eNULL, "
     "EXPORT, DES, 3DES, RC4, MD5).",
     "{host} ({address}) chấp nhận các bộ mã {kind} (ví dụ {suite} với {version})"},
    {"TLS_CIPHER_PHASE_OUT", "TLS-03",
     "{host} ({address}) still accepts {kind} cipher suites (e.g. {suite}; NCSC-NL: "
     "insufficient)",
     "Phase out {kind} cipher suites on {host}: keep ECDHE with AES-GCM or ChaCha20-Poly1305 for "
     "TLS 1.2, and TLS 1.3.",
     "Loại dần các bộ mã {kind} trên {host}: với TLS 1.2 chỉ giữ ECDHE kèm AES-GCM hoặc "
     "ChaCha20-Poly1305, và bật TLS 1.3.",
     "{host} ({address}) vẫn chấp nhận các bộ mã {kind} (ví dụ {suite}; NCSC-NL: không đạt)"},
    {"TLS_PREFERRED_NOT_FS_AEAD", "TLS-03",
     "{host} ({address}) chooses {suite} with {version}: not a forward-secret AEAD suite",
     "Make {host} prefer ECDHE suites with AES-GCM or ChaCha20-Poly1305 (server cipher order on, "
     "e.g. Postfix tls_preempt_cipherlist = yes).",
     "Cấu hình {host} ưu tiên các bộ mã ECDHE với AES-GCM hoặc ChaCha20-Poly1305 (bật thứ tự bộ mã "
     "của máy chủ, ví dụ Postfix tls_preempt_cipherlist = yes).",
     "{host} ({address}) chọn {suite} với {version}: không phải bộ mã AEAD có forward secrecy"},
    {"TLS_DH_GROUP_WEAK", "TLS-03",
     "{host} ({address}) uses finite-field DH group {group} ({bits} bits; NCSC-NL: ffdhe2048 "
     "insufficient)",
     "Prefer ECDHE (X25519, secp256r1) on {host}; if DHE stays, use ffdhe3072 or larger.",
     "Ưu tiên ECDHE (X25519, secp256r1) trên {host}; nếu vẫn dùng DHE thì dùng nhóm ffdhe3072 trở "
     "lên.",
     "{host} ({address}) dùng nhóm DH trường hữu hạn {group} ({bits} bit; NCSC-NL: ffdhe2048 không "
     "đạt)"},
    {"TLS_CIPHER_UNKNOWN", "TLS-03",
     "{host} ({address}): could not tell whether {kind} suites are accepted ({detail}); retried "
     "later",
     "", "",
     "{host} ({address}): không xác định được các bộ mã {kind} có được chấp nhận hay không "
     "({detail}); sẽ thử lại sau"},
    {"TLS_CIPHERS_NOT_ENUMERATED", "TLS-03",
     "{host} ({address}) negotiated {suite}; weak suites were not probed in this run", "", "",
     "{host} ({address}) đã thỏa thuận {suite}; các bộ mã yếu chưa được dò trong lần chạy này"},
    // TLS-04
    {"TLS_CERT_OK", "TLS-04",
     "{host} ({address}) presents a trusted certificate for its name, valid {days_left} more "
     "days, {key}, {hash}",
     "", "",
     "{host} ({address}) đưa ra chứng thư số tin cậy đúng tên máy chủ, còn hiệu lực {days_left} "
     "ngày, {key}, {hash}"},
    {"TLS_CERT_EXPIRED", "TLS-04", "the certificate of {host} ({address}) expired on {not_after}",
     "Renew the certificate of {host} now, and automate renewal (e.g. ACME).",
     "Gia hạn ngay chứng thư số của {host} và tự động hóa việc gia hạn (ví dụ ACME).",
     "Chứng thư số của {host} ({address}) đã hết hạn vào {not_after}"},
    {"TLS_CERT_NOT_YET_VALID", "TLS-04",
     "the certificate of {host} ({address}) is not valid before {not_before}",
     "Install a certificate for {host} that is valid now, and check the server's clock.",
     "Cài cho {host} một chứng thư số đang còn hiệu lực và kiểm tra đồng hồ của máy chủ.",
     "Chứng thư số của {host} ({address}) chưa có hiệu lực trước {not_before}"},
    {"TLS_CERT_EXPIRING_SOON", "TLS-04",
     "the certificate of {host} ({address}) expires on {not_after} ({days_left} days left)",
     "Renew the certificate of {host} before {not_after}, and automate renewal.",
     "Gia hạn chứng thư số của {host} trước {not_after} và tự động hóa việc gia hạn.",
     "Chứng thư số của {host} ({address}) hết hạn vào {not_after} (còn {days_left} ngày)"},
    {"TLS_CERT_SELF_SIGNED", "TLS-04",
     "{host} ({address}) presents a self-signed certificate ({subject})",
     "Use a certificate for {host} from a publicly trusted CA (needed for MTA-STS; DANE-EE "
     "TLSA records are the alternative).",
     "Dùng cho {host} chứng thư số do một CA công cộng được tin cậy cấp (bắt buộc khi dùng "
     "MTA-STS; có thể thay bằng bản ghi TLSA DANE-EE).",
     "{host} ({address}) đưa ra chứng thư số tự ký ({subject})"},
    {"TLS_CERT_UNTRUSTED", "TLS-04",
     "the certificate chain of {host} ({address}) is not trusted: {error} (issuer {issuer})",
     "Use a certificate for {host} from a publicly trusted CA and send the complete chain "
     "(leaf and intermediates).",
     "Dùng cho {host} chứng thư số do một CA công cộng được tin cậy cấp và gửi đủ chuỗi chứng thư "
     "(chứng thư máy chủ và các chứng thư trung gian).",
     "Chuỗi chứng thư số của {host} ({address}) không được tin cậy: {error} (đơn vị cấp {issuer})"},
    {"TLS_CERT_NAME_MISMATCH", "TLS-04",
     "the certificate of {host} ({address}) does not name {host} (it names {names})",
     "Use a certificate whose subjectAltName includes {host} (the MX host name, not only the "
     "web site's name).",
     "Dùng chứng thư số có trường subjectAltName chứa {host} (tên máy chủ MX, không chỉ tên trang "
     "web).",
     "Chứng thư số của {host} ({address}) không mang tên {host} (tên trong chứng thư: {names})"},
    {"TLS_CERT_KEY_WEAK", "TLS-04",
     "the certificate of {host} ({address}) has a {bits}-bit {key_type} key (insufficient)",
     "Issue a new certificate for {host} with an RSA key of at least 3072 bits or an ECDSA "
     "P-256/P-384 key.",
     "Cấp lại chứng thư số cho {host} với khóa RSA tối thiểu 3072 bit hoặc khóa ECDSA "
     "P-256/P-384.",
     "Chứng thư số của {host} ({address}) có khóa {key_type} {bits} bit (không đạt)"},
    // Judged until rubric 2026.11-2; kept so that results stored under it still render.
    {"TLS_CERT_KEY_PHASE_OUT", "TLS-04",
     "the certificate of {host} ({address}) has a {bits}-bit {key_type} key (NCSC-NL 2025: "
     "phase out)",
     "At the next renewal, issue the certificate of {host} with an RSA 3072-bit or ECDSA "
     "P-256 key.",
     "Ở lần gia hạn tới, cấp chứng thư số của {host} với khóa RSA 3072 bit hoặc ECDSA P-256.",
     "Chứng thư số của {host} ({address}) có khóa {key_type} {bits} bit (NCSC-NL 2025: cần loại bỏ "
     "dần)"},
    {"TLS_CERT_KEY_RSA2048", "TLS-04",
     "the certificate of {host} ({address}) has a {bits}-bit {key_type} key: accepted; "
     "RSA-3072 or ECDSA P-256 would last beyond 2030",
     "", "",
     "Chứng thư số của {host} ({address}) có khóa {key_type} {bits} bit: đạt yêu cầu; khóa RSA "
     "3072 bit hoặc ECDSA P-256 sẽ dùng được sau năm 2030"},
    {"TLS_CERT_WEAK_SIGNATURE", "TLS-04",
     "the certificate chain of {host} ({address}) has a {hash} signature ({subject})",
     "Replace the certificate of {host} (and any intermediate) with one signed with SHA-256 or "
     "better.",
     "Thay chứng thư số của {host} (và chứng thư trung gian, nếu có) bằng chứng thư ký bằng "
     "SHA-256 trở lên.",
     "Chuỗi chứng thư số của {host} ({address}) có chữ ký {hash} ({subject})"},
    {"TLS_CERT_UNREADABLE", "TLS-04",
     "the certificate of {host} ({address}) could not be read: {detail}", "", "",
     "Không đọc được chứng thư số của {host} ({address}): {detail}"},
};

Finding at(std::string tag, Status s, const TlsAddressEvidence& a) {
  return makeFinding(std::move(tag), s).arg("host", a.host).arg("address", a.address);
}

std::string suiteLabel(std::uint16_t code) {
  if (const CipherSuite* s = findCipherSuite(code)) return std::string(s->name);
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04X", code);
  return buf;
}

// How the statuses of the addresses make the check's (guidance §3.2):
//  - a Fail anywhere is a fact about a reachable server: Fail;
//  - otherwise the addresses that could be judged (Pass/Warn/Info) decide; with none, Error when
//    some could not be tested, else Info;
//  - gapsWarn (TLS-01): untested addresses next to judged ones make at least Warn.
Status settle(const std::vector<Status>& statuses, bool gapsWarn) {
  if (statuses.empty()) return Status::Info;
  if (std::find(statuses.begin(), statuses.end(), Status::Fail) != statuses.end())
    return Status::Fail;
  Status judged = Status::Na;
  bool errors = false;
  for (const Status s : statuses) {
    if (s == Status::Error)
      errors = true;
    else
      judged = worst(judged, s);
  }
  if (judged == Status::Na) return errors ? Status::Error : Status::Info;
  if (errors && gapsWarn) return worst(judged, Status::Warn);
  return judged;
}

enum Part : unsigned {
  kTranscript = 1,
  kSession = 2,
  kCertificate = 4,
  kVersions = 8,
  kSuites = 16
};

Json addressJson(const TlsAddressEvidence& a, unsigned parts) {
  const ProbeResult& p = a.probe;
  Json j = Json::object({{"host", a.host},
                         {"address", a.address},
                         {"port", static_cast<int>(a.port)},
                         {"class", toString(a.address_class)},
                         {"allowed", a.allowed},
                         {"outcome", toString(p.outcome)}});
  if (!p.detail.empty()) j.set("detail", p.detail);
  if (parts & kTranscript) {
    Json keywords = Json::array();
    for (const auto& k : p.ehlo_keywords)
      keywords.push(k.params.empty() ? k.name : k.name + " " + k.params);
    j.set("greeting_code", p.greeting_code);
    j.set("greeting", p.greeting);
    j.set("ehlo_code", p.ehlo_code);
    if (p.helo_code != 0) j.set("helo_code", p.helo_code);
    j.set("ehlo_keywords", keywords);
    j.set("starttls_advertised", p.starttls_advertised);
    j.set("starttls_code", p.starttls_code);
    if (p.bytes_after_starttls) j.set("bytes_after_starttls", true);
    j.set("quit_code", p.quit_code);
    j.set("elapsed_ms", static_cast<std::int64_t>(p.elapsed.count()));
  }
  if ((parts & kSession) && p.tls) {
    const auto& t = *p.tls;
    j.set("tls", Json::object({{"protocol", t.protocol},
                               {"cipher", t.cipher_iana.empty() ? t.cipher : t.cipher_iana},
                               {"group", t.group},
                               {"server_key", t.peer_tmp_key},
                               {"server_key_bits", t.peer_tmp_key_bits},
                               {"verify_result", static_cast<std::int64_t>(t.verify_result)},
                               {"verify_error", t.verify_error}}));
  }
  if ((parts & kCertificate) && a.certificate) {
    const auto& c = *a.certificate;
    Json names = Json::array();
    for (const auto& n : c.dns_names) names.push(n);
    j.set("certificate", Json::object({{"subject", c.subject},
                                       {"issuer", c.issuer},
                                       {"dns_names", names},
                                       {"not_before", isoTime(c.not_before)},
                                       {"not_after", isoTime(c.not_after)},
                                       {"key_type", c.key_type},
                                       {"key_bits", c.key_bits},
                                       {"signature_algorithm", c.signature_algorithm},
                                       {"weakest_hash", c.weakest_hash},
                                       {"self_signed", c.self_signed},
                                       {"chain_length", static_cast<std::int64_t>(c.chain_length)},
                                       {"trust", toString(c.trust)},
                                       {"verify_error", c.verify_error},
                                       {"name_matches", c.name_matches}}));
  }
  if ((parts & (kVersions | kSuites)) && a.enumeration) {
    const auto& e = *a.enumeration;
    Json en = Json::object();
    if (parts & kVersions) {
      Json versions = Json::array();
      for (const auto& v : e.versions) {
        Json row = Json::object({{"version", versionName(v.version)},
                                 {"support", toString(v.support)},
                                 {"method", v.method}});
        if (!v.cipher.empty()) row.set("cipher", v.cipher);
        if (!v.group.empty()) row.set("group", v.group);
        if (!v.detail.empty()) row.set("detail", v.detail);
        versions.push(row);
      }
      en.set("versions", versions);
    }
    if (parts & kSuites) {
      Json suites = Json::array();
      for (const auto& g : e.suites) {
        Json row = Json::object({{"group", toString(g.group)},
                                 {"support", toString(g.support)},
                                 {"version", versionName(g.version)}});
        if (g.suite != 0) row.set("suite", suiteLabel(g.suite));
        if (!g.detail.empty()) row.set("detail", g.detail);
        suites.push(row);
      }
      en.set("suites", suites);
      if (e.preferred_suite != 0) {
        en.set("preferred_suite", suiteLabel(e.preferred_suite));
        en.set("preferred_version", versionName(e.preferred_version));
        en.set("forward_secrecy", e.preferredForwardSecret());
      }
      if (e.server_order) en.set("server_order", *e.server_order);
    }
    en.set("connections", static_cast<std::int64_t>(e.connections));
    en.set("elapsed_ms", static_cast<std::int64_t>(e.elapsed.count()));
    if (!e.stopped.empty()) en.set("stopped", e.stopped);
    j.set("enumeration", en);
  }
  return j;
}

Json evidenceJson(const TlsEvidence& e, unsigned parts) {
  Json hosts = Json::array();
  for (const auto& h : e.hosts) {
    Json addresses = Json::array();
    for (const auto& a : h.addresses) addresses.push(addressJson(a, parts));
    hosts.push(Json::object({{"host", h.name},
                             {"preference", static_cast<int>(h.preference)},
                             {"a", dns::toString(h.a_status)},
                             {"aaaa", dns::toString(h.aaaa_status)},
                             {"addresses", addresses}}));
  }
  return Json::object({{"domain", e.domain}, {"enumerated", e.enumerated}, {"hosts", hosts}});
}

// Starts a check: evidence, and N/A for a domain that receives no mail.
CheckResult begin(std::string id, const TlsEvidence& e, const DomainProfile& profile,
                  unsigned parts) {
  CheckResult r;
  r.id = std::move(id);
  r.evidence = evidenceJson(e, parts);
  r.status = profile.receives_mail ? Status::Info : Status::Na;
  return r;
}

// Runs `judge` on every address; the check status follows settle().
void judgeAddresses(CheckResult& r, const TlsEvidence& e, bool gapsWarn,
                    const std::function<Status(const TlsAddressEvidence&, CheckResult&)>& judge) {
  std::vector<Status> statuses;
  for (const auto& h : e.hosts)
    for (const auto& a : h.addresses) statuses.push_back(judge(a, r));
  r.status = settle(statuses, gapsWarn);
  fillRemediation(r, kTags);
}

// TLS-02..04 for an address without TLS evidence: Error if it could not be tested, else Info.
Status notJudged(const TlsAddressEvidence& a, CheckResult& r) {
  const bool error = a.allowed && couldNotTest(a.probe.outcome);
  r.add(at("TLS_ADDRESS_NOT_TESTED", error ? Status::Error : Status::Info, a)
            .arg("reason", std::string(toString(a.probe.outcome)) +
                               (a.probe.detail.empty() ? "" : ": " + a.probe.detail)));
  return error ? Status::Error : Status::Info;
}

// The status of one address from its findings: Fail first, then Error (could not tell), then
// the worst of the rest.
Status addressStatus(const CheckResult& r, std::size_t firstFinding) {
  bool fail = false, error = false;
  Status rest = Status::Info;
  for (std::size_t i = firstFinding; i < r.findings.size(); ++i) {
    const Status s = r.findings[i].status;
    fail = fail || s == Status::Fail;
    error = error || s == Status::Error;
    if (s != Status::Error) rest = worst(rest, s);
  }
  return fail ? Status::Fail : error ? Status::Error : rest;
}

void checkDhGroup(const TlsAddressEvidence& a, std::string group, int bits, std::string key,
                  CheckResult& r, bool& reported) {
  if (reported) return;
  const bool ffdhe = group.rfind("ffdhe", 0) == 0 || key == "DH";
  if (!ffdhe || bits == 0 || bits > 2048) return;
  reported = true;
  r.add(at("TLS_DH_GROUP_WEAK", Status::Warn, a)
            .arg("group", group.empty() ? std::string("DH") : group)
            .arg("bits", static_cast<std::int64_t>(bits)));
}

}  // namespace

TlsAuditContext::TlsAuditContext(TlsAuditOptions options)
    : TlsAuditContext(std::move(options), std::make_shared<AddressLocks>()) {}

TlsAuditContext::TlsAuditContext(TlsAuditOptions options, std::shared_ptr<AddressLocks> locks)
    : options_(std::move(options)),
      prober_([this] {
        ProbeOptions o;
        o.ehlo_name =
            options_.ehlo_name.empty() ? std::string(kDefaultEhloName) : options_.ehlo_name;
        o.timeouts = options_.timeouts;
        o.allow_private_targets = options_.allow_private_targets;
        o.ca_file = options_.ca_file;
        return o;
      }()),
      enumerator_(prober_.options()),
      registry_(std::move(locks)) {}

TlsEnumeration TlsAuditContext::enumerationFor(const SmtpTarget& target, const ProbeResult& first,
                                               SteadyClock::time_point cap) {
  const auto key = std::make_pair(canonicalAddress(target.address), target.port);
  const AddressLease held = registry_.lease(target.address);
  {
    const std::lock_guard lock(mu_);
    if (const auto it = enumerations_.find(key); it != enumerations_.end()) return it->second;
  }
  TlsEnumeration e = enumerator_.enumerate(target, first, cap);
  smtpLogger()->debug("enumeration finished address={} port={} connections={} ms={} stopped=\"{}\"",
                      target.address, target.port, e.connections, e.elapsed.count(), e.stopped);
  const std::lock_guard lock(mu_);
  if (SteadyClock::now() >= cap) {
    cut_connections_ += e.connections;
    return e;
  }
  return enumerations_.emplace(key, std::move(e)).first->second;
}

ProbeResult TlsAuditContext::probe(const SmtpTarget& target, SteadyClock::time_point cap) {
  return registry_.probeOnce(target, [this, cap](const SmtpTarget& t) {
    ProbeResult r = prober_.probe(t, cap);
    if (r.outcome != ProbeOutcome::NotAllowed) ++probe_connections_;
    return r;
  });
}

std::size_t TlsAuditContext::connections() const {
  std::size_t n = 0;
  const std::lock_guard lock(mu_);
  for (const auto& [key, e] : enumerations_) n += e.connections;
  return n + cut_connections_ + probe_connections_.load();
}

TlsEvidence gatherTls(TlsAuditContext& context, const mx::MxEvidence& mx,
                      SteadyClock::time_point deadline) {
  const ProbeCaps& caps = context.options().caps;
  TlsEvidence e;
  e.domain = mx.domain;
  e.enumerated = context.options().enumerate;
  if (mx.mx.isError()) e.mx_lookup_error = std::string(dns::toString(mx.mx.status));
  std::vector<mx::MxHost> targets = mx::mailTargets(mx);
  const std::size_t maxHosts = std::min(caps.mx_hosts, mx::kMaxMxHosts);
  if (targets.size() > maxHosts) targets.resize(maxHosts);
  if (mx.total_hosts > targets.size() && !mx.hosts.empty())
    e.hosts_skipped = mx.total_hosts - targets.size();
  std::size_t probedInDomain = 0;
  for (const auto& host : targets) {
    TlsHostEvidence h;
    h.name = host.name;
    h.preference = host.preference;
    h.a_status = host.a.status;
    h.aaaa_status = host.aaaa.status;
    std::size_t probedInHost = 0;
    for (const auto& address : host.addresses()) {
      TlsAddressEvidence a;
      a.host = host.name;
      a.address = address;
      a.port = context.options().smtp_port;
      a.address_class = classifyAddress(address);
      a.allowed = isProbeAllowed(a.address_class, context.options().allow_private_targets);
      const SmtpTarget target{host.name, address, a.port};
      a.probe.target = target;
      a.probe.address_class = a.address_class;
      if (a.allowed && (probedInHost >= caps.addresses_per_host ||
                        probedInDomain >= caps.addresses_per_domain)) {
        ++e.addresses_skipped;  // the caps table: a DNS answer cannot make us probe without end
        continue;
      }
      if (a.allowed) {
        ++probedInHost;
        ++probedInDomain;
      }
      if (!a.allowed) {
        // Issue 3 item 8: no connection at all to an address a DNS answer may aim anywhere.
        a.probe.outcome = ProbeOutcome::NotAllowed;
        a.probe.detail = "address: " + std::string(toString(a.address_class));
      } else if (SteadyClock::now() >= deadline) {
        a.probe.outcome = ProbeOutcome::Timeout;
        a.probe.detail = "not probed: the domain's audit budget ran out";
      } else {
        a.probe = context.probe(target, deadline);
        if (context.options().enumerate && (a.probe.outcome == ProbeOutcome::Ok ||
                                            a.probe.outcome == ProbeOutcome::HandshakeFailed))
          a.enumeration = context.enumerationFor(target, a.probe, deadline);
        // The certificate is judged against this domain's MX name, whoever probed first.
        if (a.probe.tls) a.certificate = examineCertificate(*a.probe.tls, host.name);
      }
      h.addresses.push_back(std::move(a));
    }
    e.hosts.push_back(std::move(h));
  }
  return e;
}

// No target because the MX lookup itself failed: nothing was tested and nothing is known, so the
// check is `error` (kept out of the score, and the tier stays undecided), never info or fail.
void markUntestable(CheckResult& r, const TlsEvidence& e, const DomainProfile& profile) {
  if (!e.hosts.empty() || e.mx_lookup_error.empty() || !profile.receives_mail) return;
  r.add(makeFinding("TLS_NO_MX_ANSWER", Status::Error)
            .arg("domain", e.domain)
            .arg("status", e.mx_lookup_error));
  r.status = Status::Error;
}

// Spec: docs/checks/TLS-01.md
CheckResult judgeTls01(const TlsEvidence& e, const DomainProfile& profile) {
  CheckResult r = begin("TLS-01", e, profile, kTranscript | kSession);
  if (!profile.receives_mail) return r;
  std::vector<Status> statuses;
  for (const auto& h : e.hosts) {
    if (h.addresses.empty()) {
      const bool lookupError = dns::isLookupError(h.a_status) || dns::isLookupError(h.aaaa_status);
      const DnsStatus status = dns::isLookupError(h.a_status) ? h.a_status : h.aaaa_status;
      r.add(lookupError ? makeFinding("TLS_MX_LOOKUP_ERROR", Status::Error)
                              .arg("host", h.name)
                              .arg("status", std::string(dns::toString(status)))
                        : makeFinding("TLS_MX_NO_ADDRESS", Status::Info).arg("host", h.name));
      statuses.push_back(lookupError ? Status::Error : Status::Info);
      continue;
    }
    for (const auto& a : h.addresses) {
      const ProbeResult& p = a.probe;
      Status s = Status::Pass;
      if (!a.allowed) {
        s = Status::Warn;
        r.add(at("TLS_TARGET_NOT_ALLOWED", s, a)
                  .arg("class", std::string(toString(a.address_class))));
      } else if (p.outcome == ProbeOutcome::Ok) {
        r.add(at("TLS_STARTTLS_OK", s, a)
                  .arg("protocol", p.tls ? p.tls->protocol : std::string("TLS")));
      } else if (p.outcome == ProbeOutcome::NoStartTls) {
        s = Status::Fail;
        r.add(at("TLS_STARTTLS_MISSING", s, a));
      } else if (p.outcome == ProbeOutcome::StartTlsRejected) {
        // RFC 3207 §4: 454 is "TLS not available due to temporary reason".
        const bool temporary = p.starttls_code / 100 == 4;
        s = temporary ? Status::Error : Status::Fail;
        r.add(at(temporary ? "TLS_STARTTLS_TEMPORARY" : "TLS_STARTTLS_REJECTED", s, a)
                  .arg("reply", std::to_string(p.starttls_code) + " " + p.starttls_text));
      } else if (p.outcome == ProbeOutcome::HandshakeFailed && handshakeRejectedByServer(p)) {
        s = Status::Fail;
        r.add(at("TLS_STARTTLS_HANDSHAKE_FAILED", s, a).arg("detail", p.detail));
      } else {
        s = Status::Error;
        r.add(at("TLS_NOT_TESTED", s, a)
                  .arg("outcome", std::string(toString(p.outcome)))
                  .arg("detail", p.detail));
      }
      statuses.push_back(s);
    }
  }
  if (e.hosts.empty()) r.add(makeFinding("TLS_NO_MAIL_TARGETS", Status::Info));
  if (e.hosts_skipped > 0)
    r.add(makeFinding("TLS_MX_HOSTS_SKIPPED", Status::Info)
              .arg("count", static_cast<std::int64_t>(e.hosts_skipped))
              .arg("limit", static_cast<std::int64_t>(e.hosts.size())));
  if (e.addresses_skipped > 0)
    r.add(makeFinding("TLS_ADDRESSES_SKIPPED", Status::Info)
              .arg("count", static_cast<std::int64_t>(e.addresses_skipped)));
  r.status = settle(statuses, true);
  fillRemediation(r, kTags);
  markUntestable(r, e, profile);
  return r;
}

// Spec: docs/checks/TLS-02.md
CheckResult judgeTls02(const TlsEvidence& e, const DomainProfile& profile) {
  CheckResult r = begin("TLS-02", e, profile, kSession | kVersions);
  if (!profile.receives_mail) return r;
  judgeAddresses(r, e, false, [](const TlsAddressEvidence& a, CheckResult& r) {
    const ProbeResult& p = a.probe;
    const std::size_t first = r.findings.size();
    if (!a.allowed || (p.outcome != ProbeOutcome::Ok && p.outcome != ProbeOutcome::HandshakeFailed))
      return notJudged(a, r);
    if (!a.enumeration) {
      if (p.outcome != ProbeOutcome::Ok || !p.tls) return notJudged(a, r);
      if (p.tls->protocol_version < static_cast<int>(ProtocolVersion::Tls12)) {
        r.add(at("TLS_NO_MODERN_VERSION", Status::Fail, a).arg("versions", p.tls->protocol));
        return Status::Fail;
      }
      r.add(at("TLS_VERSIONS_NOT_ENUMERATED", Status::Info, a).arg("protocol", p.tls->protocol));
      return Status::Info;
    }
    const TlsEnumeration& en = *a.enumeration;
    std::vector<std::string> accepted;
    for (const auto& v : en.versions)
      if (v.support == Support::Accepted) accepted.emplace_back(versionName(v.version));
    for (const auto& v : en.versions) {
      const std::string name(versionName(v.version));
      const bool ssl = v.version == ProtocolVersion::SslV2 || v.version == ProtocolVersion::SslV3;
      if (v.support == Support::Accepted && ssl)
        r.add(at("TLS_SSL_OFFERED", Status::Fail, a).arg("version", name));
      else if (v.support == Support::Accepted &&
               (v.version == ProtocolVersion::Tls10 || v.version == ProtocolVersion::Tls11))
        r.add(at("TLS_LEGACY_VERSION_OFFERED", Status::Warn, a).arg("version", name));
      else if (v.support == Support::Unknown)
        r.add(at("TLS_VERSION_UNKNOWN", Status::Error, a)
                  .arg("version", name)
                  .arg("detail", v.detail.empty() ? en.stopped : v.detail));
    }
    const VersionProbe* t13 = en.version(ProtocolVersion::Tls13);
    const VersionProbe* t12 = en.version(ProtocolVersion::Tls12);
    if (t13 && t12 && t13->support == Support::NotAccepted && t12->support == Support::NotAccepted)
      r.add(at("TLS_NO_MODERN_VERSION", Status::Fail, a)
                .arg("versions", accepted.empty() ? std::string("none") : joined(accepted)));
    if (r.findings.size() == first)
      r.add(at("TLS_VERSIONS_OK", Status::Pass, a).arg("versions", joined(accepted, " and ")));
    return addressStatus(r, first);
  });
  markUntestable(r, e, profile);
  return r;
}

// Spec: docs/checks/TLS-03.md
CheckResult judgeTls03(const TlsEvidence& e, const DomainProfile& profile) {
  CheckResult r = begin("TLS-03", e, profile, kSession | kSuites);
  if (!profile.receives_mail) return r;
  judgeAddresses(r, e, false, [](const TlsAddressEvidence& a, CheckResult& r) {
    const ProbeResult& p = a.probe;
    const std::size_t first = r.findings.size();
    if (!a.allowed || (p.outcome != ProbeOutcome::Ok && p.outcome != ProbeOutcome::HandshakeFailed))
      return notJudged(a, r);
    bool dhReported = false;
    if (p.tls)
      checkDhGroup(a, p.tls->group, p.tls->peer_tmp_key_bits, p.tls->peer_tmp_key, r, dhReported);
    if (!a.enumeration) {
      if (p.outcome != ProbeOutcome::Ok || !p.tls) return notJudged(a, r);
      const CipherSuite* s = findCipherSuite(p.tls->cipher_id);
      if (s == nullptr || !s->forwardSecrecy || s->mac != Mac::Aead)
        r.add(at("TLS_PREFERRED_NOT_FS_AEAD", Status::Warn, a)
                  .arg("suite", suiteLabel(p.tls->cipher_id))
                  .arg("version", p.tls->protocol));
      if (r.findings.size() == first)
        r.add(at("TLS_CIPHERS_NOT_ENUMERATED", Status::Info, a)
                  .arg("suite", suiteLabel(p.tls->cipher_id)));
      return addressStatus(r, first);
    }
    const TlsEnumeration& en = *a.enumeration;
    for (const auto& v : en.versions)
      if (v.support == Support::Accepted) checkDhGroup(a, v.group, v.group_bits, "", r, dhReported);
    for (const auto& g : en.suites) {
      const bool failing =
          std::find(kFailingGroups.begin(), kFailingGroups.end(), g.group) != kFailingGroups.end();
      if (g.support == Support::Accepted)
        r.add(at(failing ? "TLS_CIPHER_INSUFFICIENT" : "TLS_CIPHER_PHASE_OUT",
                 failing ? Status::Fail : Status::Warn, a)
                  .arg("kind", std::string(toString(g.group)))
                  .arg("suite", suiteLabel(g.suite))
                  .arg("version", std::string(versionName(g.version))));
      else if (g.support == Support::Unknown)
        r.add(at("TLS_CIPHER_UNKNOWN", Status::Error, a)
                  .arg("kind", std::string(toString(g.group)))
                  .arg("detail", g.detail.empty() ? en.stopped : g.detail));
    }
    if (en.preferred_suite != 0 && (!en.preferredForwardSecret() || !en.preferredAead()))
      r.add(at("TLS_PREFERRED_NOT_FS_AEAD", Status::Warn, a)
                .arg("suite", suiteLabel(en.preferred_suite))
                .arg("version", std::string(versionName(en.preferred_version))));
    if (r.findings.size() == first && en.preferred_suite != 0)
      r.add(at("TLS_CIPHERS_OK", Status::Pass, a).arg("suite", suiteLabel(en.preferred_suite)));
    return addressStatus(r, first);
  });
  markUntestable(r, e, profile);
  return r;
}

// Spec: docs/checks/TLS-04.md
CheckResult judgeTls04(const TlsEvidence& e, const DomainProfile& profile,
                       std::chrono::system_clock::time_point now) {
  CheckResult r = begin("TLS-04", e, profile, kSession | kCertificate);
  if (!profile.receives_mail) return r;
  judgeAddresses(r, e, false, [now](const TlsAddressEvidence& a, CheckResult& r) {
    const std::size_t first = r.findings.size();
    if (!a.allowed || !a.certificate) return notJudged(a, r);
    const CertificateFacts& c = *a.certificate;
    if (!c.parsed) {
      r.add(at("TLS_CERT_UNREADABLE", Status::Error, a).arg("detail", c.parse_error));
      return Status::Error;
    }
    const CertificateJudgement j = judgeCertificate(c, now);
    switch (j.dates) {
      case CertDates::Expired:
        r.add(at("TLS_CERT_EXPIRED", Status::Fail, a).arg("not_after", isoTime(c.not_after)));
        break;
      case CertDates::NotYetValid:
        r.add(
            at("TLS_CERT_NOT_YET_VALID", Status::Fail, a).arg("not_before", isoTime(c.not_before)));
        break;
      case CertDates::ExpiringSoon:
        r.add(at("TLS_CERT_EXPIRING_SOON", Status::Warn, a)
                  .arg("not_after", isoTime(c.not_after))
                  .arg("days_left", j.days_left));
        break;
      case CertDates::Valid:
        break;
    }
    if (c.trust == CertTrust::SelfSigned)
      r.add(at("TLS_CERT_SELF_SIGNED", Status::Warn, a).arg("subject", c.subject));
    else if (c.trust != CertTrust::Trusted)
      r.add(at("TLS_CERT_UNTRUSTED", Status::Warn, a)
                .arg("error", c.verify_error.empty() ? std::string("not verified") : c.verify_error)
                .arg("issuer", c.issuer));
    if (!c.name_matches)
      r.add(at("TLS_CERT_NAME_MISMATCH", Status::Warn, a)
                .arg("names", c.dns_names.empty() ? c.subject : joined(c.dns_names)));
    if (j.key == KeyStrength::Insufficient)
      r.add(at("TLS_CERT_KEY_WEAK", Status::Fail, a)
                .arg("key_type", c.key_type)
                .arg("bits", static_cast<std::int64_t>(c.key_bits)));
    if (j.signature == SignatureHash::Weak)
      r.add(at("TLS_CERT_WEAK_SIGNATURE", Status::Fail, a)
                .arg("hash", c.weakest_hash)
                .arg("subject", c.weakest_hash_subject));
    if (r.findings.size() == first)
      r.add(at("TLS_CERT_OK", Status::Pass, a)
                .arg("days_left", j.days_left)
                .arg("key", c.key_type + " " + std::to_string(c.key_bits))
                .arg("hash", c.signature_hash.empty() ? c.signature_algorithm : c.signature_hash));
    // Rubric 2026-12 (guidance §3.6): RSA-2048 passes (NIST SP 800-57 and BSI TR-02102 accept
    // it through 2030); NCSC-NL's phase-out is only a suggestion for the next renewal.
    if (j.key == KeyStrength::PhaseOut)
      r.add(at("TLS_CERT_KEY_RSA2048", Status::Info, a)
                .arg("key_type", c.key_type)
                .arg("bits", static_cast<std::int64_t>(c.key_bits)));
    return addressStatus(r, first);
  });
  markUntestable(r, e, profile);
  return r;
}

std::span<const TagSpec> tlsTagSpecs() {
  return kTags;
}

Json toJson(const TlsAddressEvidence& a) {
  return addressJson(a, kTranscript | kSession | kCertificate | kVersions | kSuites);
}

}  // namespace mh::tls
