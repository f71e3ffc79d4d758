// DANE-01 gather and judge: validated TLSA at _<port>._tcp.<mx>, matched against the presented
// chain.
#include "checks/dnssec/dane_check.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <array>
#include <memory>

#include "checks/tls/openssl_ptr.hpp"

namespace mh::dnssec {

namespace {

using tls::X509Ptr;

X509Ptr parseDer(const std::vector<unsigned char>& der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

// RFC 7672 §3.1.2 and §3.2.2, for DANE-TA(2): the leaf chains up to chain[anchor] (a certificate
// the server sent, matched by the TLSA record) through the other certificates it sent, with
// valid signatures and CA constraints, and its names cover `host` (the TLSA base domain, i.e. the
// MX host; subjectAltName dNSName, or the CN when there is none; no partial wildcards). Dates are
// not checked here: an expired or not yet valid certificate is TLS-04's finding.
bool leafChainsToAnchor(const DerChain& chain, std::size_t anchor, std::string_view host) {
  X509Ptr leaf = parseDer(chain.front());
  X509Ptr ta = parseDer(chain[anchor]);
  tls::X509StorePtr store(X509_STORE_new());
  tls::X509StackPtr untrusted(sk_X509_new_null());
  tls::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!leaf || !ta || !store || !untrusted || !ctx || host.empty() ||
      X509_STORE_add_cert(store.get(), ta.get()) != 1)
    return false;
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (i == anchor) continue;
    X509Ptr cert = parseDer(chain[i]);
    if (cert && sk_X509_push(untrusted.get(), cert.get()) > 0) cert.release();
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) return false;
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // PARTIAL_CHAIN: the anchor may be an intermediate, not a self-signed root (RFC 7671 §5.2.2).
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (X509_VERIFY_PARAM_set1_host(param, host.data(), host.size()) != 1) return false;
  const bool ok = X509_verify_cert(ctx.get()) == 1;
  ERR_clear_error();
  return ok;
}

constexpr std::array kTags{
    TagSpec{"DANE_ALL_MX", "DANE-01",
            "every MX host ({count}) publishes DNSSEC-secure DANE TLSA records", "", "",
            "Mọi máy chủ MX ({count}) đều công bố bản ghi DANE TLSA được bảo vệ bằng DNSSEC"},
    TagSpec{"DANE_PARTIAL", "DANE-01",
            "only {with} of {total} MX hosts publish DNSSEC-secure DANE TLSA records",
            "Publish TLSA records (usage 3 1 1 or 2 1 1) at _25._tcp.<host> for every MX host, "
            "in DNSSEC-signed zones.",
            "Công bố bản ghi TLSA (kiểu 3 1 1 hoặc 2 1 1) tại _25._tcp.<máy chủ> cho mọi máy chủ "
            "MX, trong vùng DNS đã ký DNSSEC.",
            "Chỉ {with}/{total} máy chủ MX công bố bản ghi DANE TLSA được bảo vệ bằng DNSSEC"},
    TagSpec{"DANE_ABSENT", "DANE-01",
            "no MX host publishes DNSSEC-secure DANE TLSA records (DANE-01 has a low weight)",
            "Sign the MX hosts' zones with DNSSEC and publish TLSA records (3 1 1: SHA-256 of "
            "the server key) at _25._tcp.<host> for every MX host (RFC 7672).",
            "Ký DNSSEC cho vùng DNS của các máy chủ MX và công bố bản ghi TLSA (3 1 1: SHA-256 "
            "khóa công khai của máy chủ) tại _25._tcp.<máy chủ> cho mọi máy chủ MX (RFC 7672).",
            "Không máy chủ MX nào công bố bản ghi DANE TLSA được bảo vệ bằng DNSSEC (DANE-01 có "
            "trọng số thấp)"},
    TagSpec{"DANE_TLSA_PRESENT", "DANE-01", "{host}: DNSSEC-secure TLSA {records}", "", "",
            "{host}: có bản ghi TLSA được bảo vệ bằng DNSSEC {records}"},
    TagSpec{"DANE_TLSA_MATCH", "DANE-01", "{host}: the certificate presented matches TLSA {record}",
            "", "", "{host}: chứng thư số máy chủ đưa ra khớp với TLSA {record}"},
    TagSpec{"DANE_TLSA_MISMATCH", "DANE-01",
            "CRITICAL: {host}: no TLSA record ({records}) matches the certificate chain the "
            "server presents; senders that use DANE will not deliver mail to it",
            "Update the TLSA records at _25._tcp.<host> to match the current certificate or key "
            "(publish the new record before changing the certificate, RFC 7671 §8), or remove "
            "them.",
            "Cập nhật bản ghi TLSA tại _25._tcp.<máy chủ> cho khớp với chứng thư số hoặc khóa "
            "hiện hành (công bố bản ghi mới trước khi thay chứng thư, RFC 7671 §8), hoặc gỡ bỏ "
            "chúng.",
            "NGHIÊM TRỌNG: {host}: không bản ghi TLSA nào ({records}) khớp với chuỗi chứng thư số "
            "máy chủ đưa ra; các máy chủ gửi dùng DANE sẽ không chuyển thư tới máy chủ này"},
    TagSpec{"DANE_TLSA_BOGUS", "DANE-01",
            "CRITICAL: {host}: the TLSA answer is DNSSEC-bogus ({reason}: {detail}); senders "
            "that use DANE will not deliver mail to it",
            "Fix the DNSSEC signatures of the zone holding _25._tcp.<host> (re-sign it or correct "
            "its DS at the parent).",
            "Khắc phục chữ ký DNSSEC của vùng DNS chứa _25._tcp.<máy chủ> (ký lại hoặc sửa bản "
            "ghi DS tại vùng cha).",
            "NGHIÊM TRỌNG: {host}: kết quả truy vấn TLSA không hợp lệ theo DNSSEC (bogus) "
            "({reason}: {detail}); các máy chủ gửi dùng DANE sẽ không chuyển thư tới máy chủ này"},
    TagSpec{"DANE_TLSA_INSECURE", "DANE-01",
            "{host}: TLSA records exist but the zone is not DNSSEC-signed, so senders ignore "
            "them",
            "Sign the zone holding _25._tcp.<host> with DNSSEC and publish its DS at the parent.",
            "Ký DNSSEC cho vùng DNS chứa _25._tcp.<máy chủ> và đăng ký bản ghi DS tại vùng cha.",
            "{host}: có bản ghi TLSA nhưng vùng DNS chưa được ký DNSSEC nên bên gửi bỏ qua chúng"},
    TagSpec{"DANE_TLSA_USAGE_NOT_FOR_SMTP", "DANE-01",
            "{host}: TLSA {record} uses usage {usage} (PKIX), which SMTP DANE does not use "
            "(RFC 7672 §3.1.3)",
            "Use usage 3 (DANE-EE) or 2 (DANE-TA) for SMTP, e.g. \"3 1 1 <SHA-256 of the key>\".",
            "Dùng kiểu 3 (DANE-EE) hoặc 2 (DANE-TA) cho SMTP, ví dụ \"3 1 1 <SHA-256 của khóa>\".",
            "{host}: TLSA {record} dùng kiểu sử dụng {usage} (PKIX), kiểu mà DANE cho SMTP không "
            "dùng (RFC 7672 §3.1.3)"},
    TagSpec{"DANE_TLSA_UNSUPPORTED_PARAMETERS", "DANE-01",
            "{host}: TLSA {record} has a selector or matching type outside RFC 6698 (ignored)",
            "Use selector 0 or 1 and matching type 0, 1 or 2.",
            "Dùng selector 0 hoặc 1 và kiểu so khớp 0, 1 hoặc 2.",
            "{host}: TLSA {record} có selector hoặc kiểu so khớp nằm ngoài RFC 6698 (bị bỏ qua)"},
    TagSpec{"DANE_TLSA_MALFORMED", "DANE-01", "{host}: {count} TLSA record(s) could not be read",
            "", "", "{host}: không đọc được {count} bản ghi TLSA"},
    TagSpec{"DANE_NO_USABLE_TLSA", "DANE-01",
            "{host}: TLSA records exist but none is usable for SMTP (RFC 7672 §3.1.3)",
            "Publish a TLSA record with usage 3 or 2, selector 0 or 1 and matching type 0, 1 "
            "or 2.",
            "Công bố bản ghi TLSA kiểu 3 hoặc 2, selector 0 hoặc 1, kiểu so khớp 0, 1 hoặc 2.",
            "{host}: có bản ghi TLSA nhưng không bản ghi nào dùng được cho SMTP (RFC 7672 §3.1.3)"},
    TagSpec{"DANE_MATCH_NOT_CHECKED", "DANE-01",
            "{host}: the TLSA records were not compared with a certificate (SMTP not probed)", "",
            "", "{host}: chưa so sánh bản ghi TLSA với chứng thư số (không kiểm tra SMTP)"},
    TagSpec{"DANE_RESOLVER_NO_DNSSEC", "DANE-01",
            "DANE could not be checked in this run: {reason}",
            "Nothing for the agency to do: the audit's operator must give it a resolver that "
            "returns DNSSEC records (RRSIG); the next run checks the TLSA records again.",
            "Cơ quan không cần làm gì: đơn vị vận hành công cụ đánh giá cần dùng máy chủ phân giải "
            "trả về bản ghi DNSSEC (RRSIG); lần đánh giá sau sẽ kiểm tra lại bản ghi TLSA.",
            "Không kiểm tra được DANE trong lượt đánh giá này: {reason}"},
    TagSpec{"DANE_LOOKUP_ERROR", "DANE-01", "{host}: could not validate TLSA: {reason} ({detail})",
            "", "", "{host}: không xác thực được TLSA: {reason} ({detail})"},
};

std::string hex(const std::vector<unsigned char>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::vector<unsigned char>> digest(const EVP_MD* md,
                                                 const std::vector<unsigned char>& in) {
  std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(in.data(), in.size(), out.data(), &len, md, nullptr) != 1) return std::nullopt;
  out.resize(len);
  return out;
}

std::string recordsText(const std::vector<TlsaRecord>& records) {
  std::string out;
  for (const auto& r : records) {
    if (!out.empty()) out += "; ";
    out += r.text;
  }
  return out;
}

}  // namespace

std::optional<TlsaRecord> parseTlsa(std::string_view rdata) {
  TlsaRecord r;
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < rdata.size()) {
    while (i < rdata.size() && (rdata[i] == ' ' || rdata[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < rdata.size() && rdata[j] != ' ' && rdata[j] != '\t') ++j;
    if (j > i) tokens.emplace_back(rdata.substr(i, j - i));
    i = j;
  }
  if (tokens.size() < 4) return std::nullopt;
  int fields[3];
  for (int k = 0; k < 3; ++k) {
    if (tokens[k].empty() || tokens[k].size() > 3 ||
        tokens[k].find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    fields[k] = std::stoi(tokens[k]);
    if (fields[k] > 255) return std::nullopt;
  }
  std::string hexData;
  for (std::size_t k = 3; k < tokens.size(); ++k) hexData += tokens[k];
  if (hexData.empty() || hexData.size() % 2 != 0) return std::nullopt;
  for (std::size_t k = 0; k < hexData.size(); k += 2) {
    const int hi = hexValue(hexData[k]);
    const int lo = hexValue(hexData[k + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    r.data.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  r.usage = static_cast<std::uint8_t>(fields[0]);
  r.selector = static_cast<std::uint8_t>(fields[1]);
  r.matching = static_cast<std::uint8_t>(fields[2]);
  r.text = std::to_string(fields[0]) + " " + std::to_string(fields[1]) + " " +
           std::to_string(fields[2]) + " " + hex(r.data);
  return r;
}

bool usableForSmtp(const TlsaRecord& r) {
  return (r.usage == 2 || r.usage == 3) && r.selector <= 1 && r.matching <= 2;
}

bool tlsaMatchesCertificate(const TlsaRecord& r, const std::vector<unsigned char>& der) {
  std::vector<unsigned char> selected;
  if (r.selector == 0) {
    selected = der;
  } else if (r.selector == 1) {
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) return false;
    unsigned char* spki = nullptr;
    const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &spki);
    if (len <= 0) return false;
    selected.assign(spki, spki + len);
    OPENSSL_free(spki);
  } else {
    return false;
  }
  std::optional<std::vector<unsigned char>> value;
  switch (r.matching) {
    case 0:
      value = selected;
      break;
    case 1:
      value = digest(EVP_sha256(), selected);
      break;
    case 2:
      value = digest(EVP_sha512(), selected);
      break;
    default:
      return false;
  }
  return value && *value == r.data;
}

std::optional<TlsaRecord> matchChain(const std::vector<TlsaRecord>& records, const DerChain& chain,
                                     std::string_view host) {
  if (chain.empty()) return std::nullopt;
  for (const auto& r : records) {
    if (!usableForSmtp(r)) continue;
    // DANE-EE: the key alone; names and dates are ignored (RFC 7672 §3.1.1).
    if (r.usage == 3 && tlsaMatchesCertificate(r, chain.front())) return r;
    if (r.usage == 2)
      for (std::size_t i = 1; i < chain.size(); ++i)
        if (tlsaMatchesCertificate(r, chain[i]) && leafChainsToAnchor(chain, i, host)) return r;
  }
  return std::nullopt;
}

DaneEvidence gatherDane(dns::Resolver& resolver, const mx::MxEvidence& mx,
                        const TrustAnchors& anchors, std::uint16_t port,
                        std::chrono::system_clock::time_point now) {
  Validator v(resolver, anchors, now);
  DaneEvidence e;
  e.port = port;
  for (const auto& target : mx::mailTargets(mx)) {
    if (target.ip_literal) continue;
    DaneEvidence::Host h;
    h.name = target.name;
    h.tlsa_name = "_" + std::to_string(port) + "._tcp." + target.name;
    h.validation = v.query(h.tlsa_name, dns::rr::TLSA, h.tlsa);
    for (const auto& rec : h.tlsa.records) {
      if (auto t = parseTlsa(rec.data))
        h.records.push_back(std::move(*t));
      else
        ++h.malformed;
    }
    e.hosts.push_back(std::move(h));
  }
  return e;
}

// Spec: docs/checks/DANE-01.md
CheckResult judgeDane01(
    const DaneEvidence& e,
    const std::map<std::string, std::vector<std::vector<unsigned char>>>& chains,
    const DomainProfile& profile) {
  CheckResult r;
  r.id = "DANE-01";
  Json hosts = Json::array();
  for (const auto& h : e.hosts) {
    Json recs = Json::array();
    for (const auto& t : h.records) recs.push(t.text);
    auto chain = chains.find(h.name);
    hosts.push(
        Json::object({{"host", h.name},
                      {"tlsa", dns::toJson(h.tlsa)},
                      {"validation", toJson(h.validation)},
                      {"records", recs},
                      {"chain_presented", chain != chains.end() && !chain->second.empty()}}));
  }
  r.evidence = Json::object({{"port", static_cast<int>(e.port)}, {"hosts", hosts}});
  if (!profile.receives_mail || e.hosts.empty()) return r;  // N/A: DANE-01 is for R domains

  std::int64_t withDane = 0;
  std::int64_t errors = 0;
  for (const auto& h : e.hosts) {
    const Validation& v = h.validation;
    if (v.status == SecurityStatus::Indeterminate) {
      r.add(makeFinding("DANE_LOOKUP_ERROR", Status::Error)
                .arg("host", h.name)
                .arg("reason", v.reason)
                .arg("detail", v.detail));
      ++errors;
      continue;
    }
    if (v.status == SecurityStatus::Bogus) {
      r.add(makeFinding("DANE_TLSA_BOGUS", Status::Fail)
                .arg("host", h.name)
                .arg("reason", v.reason)
                .arg("detail", v.detail));
      continue;
    }
    if (h.malformed)
      r.add(makeFinding("DANE_TLSA_MALFORMED", Status::Info)
                .arg("host", h.name)
                .arg("count", static_cast<std::int64_t>(h.malformed)));
    if (!h.tlsa.hasRecords()) continue;  // no TLSA (securely or not): no DANE for this host
    if (v.status == SecurityStatus::Insecure) {
      r.add(makeFinding("DANE_TLSA_INSECURE", Status::Warn).arg("host", h.name));
      continue;
    }
    std::vector<TlsaRecord> usable;
    for (const auto& t : h.records) {
      if (t.usage == 0 || t.usage == 1)
        r.add(makeFinding("DANE_TLSA_USAGE_NOT_FOR_SMTP", Status::Warn)
                  .arg("host", h.name)
                  .arg("record", t.text)
                  .arg("usage", static_cast<std::int64_t>(t.usage)));
      else if (!usableForSmtp(t))
        r.add(makeFinding("DANE_TLSA_UNSUPPORTED_PARAMETERS", Status::Info)
                  .arg("host", h.name)
                  .arg("record", t.text));
      else
        usable.push_back(t);
    }
    if (usable.empty()) {
      r.add(makeFinding("DANE_NO_USABLE_TLSA", Status::Warn).arg("host", h.name));
      continue;
    }
    ++withDane;
    r.add(makeFinding("DANE_TLSA_PRESENT", Status::Info)
              .arg("host", h.name)
              .arg("records", recordsText(usable)));
    auto chain = chains.find(h.name);
    if (chain == chains.end() || chain->second.empty()) {
      r.add(makeFinding("DANE_MATCH_NOT_CHECKED", Status::Info).arg("host", h.name));
      continue;
    }
    if (auto m = matchChain(usable, chain->second, h.name))
      r.add(
          makeFinding("DANE_TLSA_MATCH", Status::Pass).arg("host", h.name).arg("record", m->text));
    else
      r.add(makeFinding("DANE_TLSA_MISMATCH", Status::Fail)
                .arg("host", h.name)
                .arg("records", recordsText(usable)));
  }

  const auto total = static_cast<std::int64_t>(e.hosts.size());
  if (withDane == 0 && errors < total) {
    r.add(makeFinding("DANE_ABSENT", Status::Fail));
  } else if (withDane > 0 && withDane + errors < total) {
    r.add(makeFinding("DANE_PARTIAL", Status::Warn).arg("with", withDane).arg("total", total));
  } else if (withDane == total) {
    r.add(makeFinding("DANE_ALL_MX", Status::Pass).arg("count", total));
  }
  fillRemediation(r, kTags);
  return r;
}

std::span<const TagSpec> daneTagSpecs() {
  return kTags;
}

}  // namespace mh::dnssec
