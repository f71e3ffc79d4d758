// MTASTS-01: RFC 8461 §3.1 discovery, the §3.3 policy fetch, the §3.2/§4.1 policy judged, and
// the covered MX hosts' STARTTLS evidence (§4.2, §5.1).
#include "checks/mta_sts/mta_sts_check.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "checks/core/text.hpp"
#include "checks/mta_sts/mx_tls.hpp"

namespace mh::mta_sts {
namespace {

constexpr auto kTagSpecs = std::to_array<TagSpec>({
    {"MTASTS_RECORD_VALID", "MTASTS-01", "MTA-STS record is valid (id={id})", "", "",
     "Bản ghi MTA-STS hợp lệ (id={id})"},
    {"MTASTS_POLICY_NOT_FETCHED", "MTASTS-01",
     "The MTA-STS policy file was not fetched yet, so the policy is not judged", "", "",
     "Chưa tải tệp chính sách MTA-STS nên chưa đánh giá chính sách"},
    {"MTASTS_RECORD_MISSING", "MTASTS-01", "No MTA-STS record at {name}",
     "Publish TXT \"v=STSv1; id=<YYYYMMDDhhmmss>\" at _mta-sts.{domain} and serve the policy at "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt with a valid certificate (start with "
     "mode: testing, then move to mode: enforce).",
     "Công bố bản ghi TXT \"v=STSv1; id=<YYYYMMDDhhmmss>\" tại _mta-sts.{domain} và đặt tệp "
     "chính sách tại https://mta-sts.{domain}/.well-known/mta-sts.txt với chứng thư số hợp lệ "
     "(bắt đầu với mode: testing, sau đó chuyển sang mode: enforce).",
     "Không có bản ghi MTA-STS tại {name}"},
    {"MTASTS_RECORD_INVALID", "MTASTS-01",
     "MTA-STS record at {name} is invalid ({reason}); senders treat the domain as having none",
     "Replace the TXT record at _mta-sts.{domain} with exactly \"v=STSv1; id=<1-32 letters or "
     "digits>\" (v=STSv1 first, fields separated by ';'); change the id whenever the policy "
     "changes.",
     "Thay bản ghi TXT tại _mta-sts.{domain} bằng đúng dạng \"v=STSv1; id=<1–32 chữ cái hoặc "
     "chữ số>\" (v=STSv1 đứng đầu, các trường phân tách bằng dấu ';'); đổi id mỗi khi chính "
     "sách thay đổi.",
     "Bản ghi MTA-STS tại {name} không hợp lệ ({reason}); bên gửi coi như tên miền không có bản "
     "ghi"},
    {"MTASTS_MULTIPLE_RECORDS", "MTASTS-01",
     "{count} MTA-STS records at {name}; senders then ignore MTA-STS (RFC 8461 §3.1)",
     "Keep exactly one TXT record beginning with v=STSv1 at _mta-sts.{domain}.",
     "Chỉ giữ đúng một bản ghi TXT bắt đầu bằng v=STSv1 tại _mta-sts.{domain}.",
     "Có {count} bản ghi MTA-STS tại {name}; khi đó bên gửi bỏ qua MTA-STS (RFC 8461 §3.1)"},
    {"MTASTS_LOOKUP_ERROR", "MTASTS-01",
     "DNS lookup of {name} TXT failed ({status}): the result could not be determined", "", "",
     "Truy vấn DNS {name} TXT thất bại ({status}): không xác định được kết quả"},
    // Policy part (appended; tags above are stored and never renamed).
    {"MTASTS_POLICY_FETCHED", "MTASTS-01",
     "MTA-STS policy fetched from {url}: mode {mode}, max_age {max_age}", "", "",
     "Đã tải chính sách MTA-STS từ {url}: mode {mode}, max_age {max_age}"},
    {"MTASTS_POLICY_ENFORCED", "MTASTS-01",
     "MTA-STS policy in enforce mode, fetched over verified HTTPS, covers every MX host", "", "",
     "Chính sách MTA-STS ở chế độ enforce, được tải qua HTTPS đã xác thực, bao quát mọi máy chủ "
     "MX"},
    {"MTASTS_POLICY_UNREACHABLE", "MTASTS-01",
     "The MTA-STS policy at {url} could not be retrieved ({reason}); senders treat the domain as "
     "having no policy (RFC 8461 §3.3)",
     "Serve the policy at {url} over HTTPS: mta-sts.{domain} must resolve to the web server, "
     "which must answer status 200 with the policy file and a valid certificate for "
     "mta-sts.{domain}.",
     "Đặt tệp chính sách tại {url} qua HTTPS: tên mta-sts.{domain} phải phân giải tới máy chủ "
     "web, và máy chủ phải trả về mã trạng thái 200 cùng tệp chính sách, với chứng thư số hợp "
     "lệ cho mta-sts.{domain}.",
     "Không tải được chính sách MTA-STS tại {url} ({reason}); bên gửi coi như tên miền không có "
     "chính sách (RFC 8461 §3.3)"},
    {"MTASTS_POLICY_REDIRECT", "MTASTS-01",
     "{url} answered HTTP {status} redirecting to {location}; senders must not follow "
     "redirects (RFC 8461 §3.3), so they find no policy",
     "Serve the policy file directly at {url} with status 200 and remove the redirect.",
     "Phục vụ tệp chính sách trực tiếp tại {url} với mã trạng thái 200 và bỏ chuyển hướng "
     "(bên gửi không được phép đi theo chuyển hướng).",
     "{url} trả về HTTP {status} chuyển hướng tới {location}; bên gửi không được đi theo chuyển "
     "hướng (RFC 8461 §3.3) nên không tìm thấy chính sách"},
    {"MTASTS_POLICY_CONTENT_TYPE", "MTASTS-01",
     "{url} is served as \"{type}\", not text/plain (RFC 8461 §3.2); senders reject it",
     "Configure the web server to serve {url} with \"Content-Type: text/plain\".",
     "Cấu hình máy chủ web trả tệp {url} với \"Content-Type: text/plain\".",
     "{url} được trả về với kiểu \"{type}\", không phải text/plain (RFC 8461 §3.2); bên gửi từ "
     "chối tệp này"},
    {"MTASTS_CERT_INVALID", "MTASTS-01",
     "The HTTPS certificate of {host} failed verification ({reason}); senders reject the policy "
     "(RFC 8461 §3.3)",
     "Install on {host} a certificate from a publicly trusted CA that names {host} (SAN), is "
     "within its validity dates and is served with its full intermediate chain.",
     "Cài đặt trên {host} chứng thư số do tổ chức chứng thực được tin cậy công khai cấp, có tên "
     "{host} trong trường SAN, còn thời hạn hiệu lực và được gửi kèm đầy đủ chuỗi chứng thư "
     "trung gian.",
     "Chứng thư số HTTPS của {host} không xác thực được ({reason}); bên gửi từ chối chính sách "
     "(RFC 8461 §3.3)"},
    {"MTASTS_POLICY_INVALID", "MTASTS-01",
     "The MTA-STS policy at {url} is invalid ({reason}); senders ignore it (RFC 8461 §3.2)",
     "Fix the policy file at {url}: \"version: STSv1\", \"mode: enforce\" (or testing), one "
     "\"mx: <host or *.domain>\" line per MX host and \"max_age: <seconds, at most 31557600>\", "
     "one per line; then change the id of the TXT record at _mta-sts.{domain}.",
     "Sửa tệp chính sách tại {url}: gồm các dòng \"version: STSv1\", \"mode: enforce\" (hoặc "
     "testing), mỗi máy chủ MX một dòng \"mx: <tên máy chủ hoặc *.tên miền>\" và \"max_age: "
     "<số giây, tối đa 31557600>\"; sau đó đổi id của bản ghi TXT tại _mta-sts.{domain}.",
     "Chính sách MTA-STS tại {url} không hợp lệ ({reason}); bên gửi bỏ qua chính sách (RFC 8461 "
     "§3.2)"},
    {"MTASTS_MODE_TESTING", "MTASTS-01",
     "The MTA-STS policy is in mode testing: failures are only reported, delivery is not "
     "protected (RFC 8461 §5)",
     "Once the TLS-RPT reports show no failures, set \"mode: enforce\" in "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt and change the id of the TXT record at "
     "_mta-sts.{domain}.",
     "Khi các báo cáo TLS-RPT không còn ghi nhận lỗi, đặt \"mode: enforce\" trong "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt và đổi id của bản ghi TXT tại "
     "_mta-sts.{domain}.",
     "Chính sách MTA-STS đang ở mode testing: lỗi chỉ được báo cáo, việc chuyển thư chưa được bảo "
     "vệ (RFC 8461 §5)"},
    {"MTASTS_MODE_NONE", "MTASTS-01",
     "The MTA-STS policy has mode none while the record is still published: senders apply no "
     "MTA-STS protection (RFC 8461 §5, §8.3)",
     "Set \"mode: testing\", then \"mode: enforce\", in "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt and change the id of the TXT record at "
     "_mta-sts.{domain} (mode none only serves to withdraw MTA-STS).",
     "Đặt \"mode: testing\", sau đó \"mode: enforce\", trong "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt và đổi id của bản ghi TXT tại "
     "_mta-sts.{domain} (mode none chỉ dùng khi rút bỏ MTA-STS).",
     "Chính sách MTA-STS có mode none trong khi bản ghi vẫn được công bố: bên gửi không áp dụng "
     "bảo vệ MTA-STS nào (RFC 8461 §5, §8.3)"},
    {"MTASTS_MAX_AGE_SHORT", "MTASTS-01",
     "max_age is {max_age} seconds, less than one day: senders forget the policy quickly, which "
     "reopens the window for a downgrade attack",
     "Set max_age to at least 604800 (one week); RFC 8461 §3.2 expects weeks or more, at most "
     "31557600.",
     "Đặt max_age tối thiểu 604800 (một tuần); RFC 8461 §3.2 khuyến nghị từ vài tuần trở lên, "
     "tối đa 31557600.",
     "max_age là {max_age} giây, ít hơn một ngày: bên gửi nhanh chóng quên chính sách, tạo lại cơ "
     "hội cho tấn công hạ cấp"},
    {"MTASTS_MX_NOT_COVERED", "MTASTS-01",
     "MX host {host} matches no mx pattern of the policy ({patterns}); in enforce mode senders "
     "refuse to deliver to it (RFC 8461 §4.1)",
     "Add \"mx: {host}\" (or a \"*.\" pattern matching it) to "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt and change the id of the TXT record at "
     "_mta-sts.{domain}.",
     "Thêm dòng \"mx: {host}\" (hoặc một mẫu \"*.\" khớp với nó) vào "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt và đổi id của bản ghi TXT tại "
     "_mta-sts.{domain}.",
     "Máy chủ MX {host} không khớp mẫu mx nào của chính sách ({patterns}); ở chế độ enforce, bên "
     "gửi sẽ từ chối chuyển thư tới máy chủ này (RFC 8461 §4.1)"},
    {"MTASTS_FETCH_ERROR", "MTASTS-01",
     "The MTA-STS policy at {url} could not be fetched ({outcome}: {reason}): the result could "
     "not be determined",
     "", "",
     "Không tải được chính sách MTA-STS tại {url} ({outcome}: {reason}): không xác định được kết "
     "quả"},
    {"MTASTS_TARGET_NOT_ALLOWED", "MTASTS-01",
     "{host} resolves only to addresses the scanner does not connect to ({address}); the policy "
     "was not checked",
     "", "",
     "{host} chỉ phân giải tới các địa chỉ mà công cụ quét không kết nối tới ({address}); chưa "
     "kiểm tra chính sách"},
    {"MTASTS_MX_UNKNOWN", "MTASTS-01",
     "The MX lookup failed ({status}), so MX coverage by the policy could not be determined", "",
     "",
     "Truy vấn MX thất bại ({status}) nên không xác định được chính sách có bao quát các máy chủ "
     "MX hay không"},
    {"MTASTS_MX_NOT_CHECKED", "MTASTS-01",
     "No MX evidence was given, so MX coverage by the policy was not judged", "", "",
     "Không có dữ liệu MX nên chưa đánh giá chính sách có bao quát các máy chủ MX hay không"},
    // The MX hosts' STARTTLS evidence (TLS-01, TLS-04) seen by a sender applying the policy.
    {"MTASTS_ENFORCE_MX_NO_STARTTLS", "MTASTS-01",
     "MX host {host} ({address}) has no working STARTTLS ({reason}); the policy is in enforce "
     "mode, so senders that apply MTA-STS refuse to deliver to it and their mail bounces "
     "(RFC 8461 §5.1)",
     "Enable STARTTLS (RFC 3207) on {host} with a certificate from a publicly trusted CA that "
     "names {host}; until it works, set \"mode: testing\" in "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt and change the id of the TXT record at "
     "_mta-sts.{domain}.",
     "Bật STARTTLS (RFC 3207) trên {host} với chứng thư số do tổ chức chứng thực được tin cậy "
     "công khai cấp, có tên {host}; trong khi chưa khắc phục xong, đặt \"mode: testing\" trong "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt và đổi id của bản ghi TXT tại "
     "_mta-sts.{domain}.",
     "Máy chủ MX {host} ({address}) không có STARTTLS hoạt động được ({reason}); chính sách đang ở "
     "chế độ enforce nên bên gửi áp dụng MTA-STS từ chối chuyển thư tới máy chủ này và thư bị trả "
     "lại (RFC 8461 §5.1)"},
    {"MTASTS_ENFORCE_MX_CERT_INVALID", "MTASTS-01",
     "MX host {host} ({address}) presents a STARTTLS certificate that is not valid for it "
     "({reason}); the policy is in enforce mode, so senders that apply MTA-STS refuse to deliver "
     "to it and their mail bounces (RFC 8461 §4.2, §5.1)",
     "Install on {host} a certificate from a publicly trusted CA that names {host} (SAN), is "
     "within its validity dates and is served with its full intermediate chain; until it is in "
     "place, set \"mode: testing\" in https://mta-sts.{domain}/.well-known/mta-sts.txt and change "
     "the id of the TXT record at _mta-sts.{domain}.",
     "Cài đặt trên {host} chứng thư số do tổ chức chứng thực được tin cậy công khai cấp, có tên "
     "{host} trong trường SAN, còn thời hạn hiệu lực và được gửi kèm đầy đủ chuỗi chứng thư "
     "trung gian; trong khi chưa cài xong, đặt \"mode: testing\" trong "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt và đổi id của bản ghi TXT tại "
     "_mta-sts.{domain}.",
     "Máy chủ MX {host} ({address}) đưa ra chứng thư số STARTTLS không hợp lệ cho tên máy chủ này "
     "({reason}); chính sách đang ở chế độ enforce nên bên gửi áp dụng MTA-STS từ chối chuyển thư "
     "tới máy chủ này và thư bị trả lại (RFC 8461 §4.2, §5.1)"},
    {"MTASTS_TESTING_MX_NO_STARTTLS", "MTASTS-01",
     "MX host {host} ({address}) has no working STARTTLS ({reason}); in testing mode mail is "
     "still delivered but TLS-RPT reports show the failure, and in enforce mode senders would "
     "refuse to deliver to it (RFC 8461 §5)",
     "Enable STARTTLS (RFC 3207) on {host} with a certificate from a publicly trusted CA that "
     "names {host} before setting \"mode: enforce\" in "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt.",
     "Bật STARTTLS (RFC 3207) trên {host} với chứng thư số do tổ chức chứng thực được tin cậy "
     "công khai cấp, có tên {host}, trước khi đặt \"mode: enforce\" trong "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt.",
     "Máy chủ MX {host} ({address}) không có STARTTLS hoạt động được ({reason}); ở chế độ testing "
     "thư vẫn được chuyển nhưng báo cáo TLS-RPT ghi nhận lỗi, và ở chế độ enforce bên gửi sẽ từ "
     "chối chuyển thư tới máy chủ này (RFC 8461 §5)"},
    {"MTASTS_TESTING_MX_CERT_INVALID", "MTASTS-01",
     "MX host {host} ({address}) presents a STARTTLS certificate that is not valid for it "
     "({reason}); in testing mode mail is still delivered but TLS-RPT reports show the failure, "
     "and in enforce mode senders would refuse to deliver to it (RFC 8461 §4.2, §5)",
     "Install on {host} a certificate from a publicly trusted CA that names {host} (SAN), is "
     "within its validity dates and is served with its full intermediate chain, before setting "
     "\"mode: enforce\" in https://mta-sts.{domain}/.well-known/mta-sts.txt.",
     "Cài đặt trên {host} chứng thư số do tổ chức chứng thực được tin cậy công khai cấp, có tên "
     "{host} trong trường SAN, còn thời hạn hiệu lực và được gửi kèm đầy đủ chuỗi chứng thư "
     "trung gian, trước khi đặt \"mode: enforce\" trong "
     "https://mta-sts.{domain}/.well-known/mta-sts.txt.",
     "Máy chủ MX {host} ({address}) đưa ra chứng thư số STARTTLS không hợp lệ cho tên máy chủ này "
     "({reason}); ở chế độ testing thư vẫn được chuyển nhưng báo cáo TLS-RPT ghi nhận lỗi, và ở "
     "chế độ enforce bên gửi sẽ từ chối chuyển thư tới máy chủ này (RFC 8461 §4.2, §5)"},
});

// One day (guidance §3.2 MTASTS-01 warn): below it a sender's cached policy lapses between
// two deliveries, and every refresh is a window for an attacker who strips the TXT record.
constexpr std::int64_t kShortMaxAge = 86400;

// The fetch outcome turned into findings: the domain's faults fail, "could not tell" is error.
void judgeFetch(const MtaStsEvidence& e, const PolicyFetch& f, CheckResult& r) {
  auto finding = [&](std::string tag, Status status) {
    Finding& added = r.add(makeFinding(std::move(tag), status));
    added.arg("domain", e.domain).arg("url", f.url);
    return &added;
  };
  switch (f.outcome) {
    case FetchOutcome::Ok:
      return;
    case FetchOutcome::Redirect:
      finding("MTASTS_POLICY_REDIRECT", Status::Fail)
          ->arg("status", static_cast<std::int64_t>(f.http_status))
          .arg("location", f.location.empty() ? "(no Location)" : f.location);
      return;
    case FetchOutcome::WrongContentType:
      finding("MTASTS_POLICY_CONTENT_TYPE", Status::Fail)
          ->arg("type", f.content_type.empty() ? "(none)" : f.content_type);
      return;
    case FetchOutcome::CertificateInvalid:
      finding("MTASTS_CERT_INVALID", Status::Fail)->arg("host", f.host).arg("reason", f.detail);
      return;
    // §3.3: "If a valid TXT record is found but no policy can be fetched via HTTPS (for any
    // reason) ... senders MUST continue with delivery as though the domain has not implemented
    // MTA-STS". A 404, an oversized body, a name that does not exist or a non-HTTP answer from a
    // verified server are answers from the domain's own infrastructure: the policy is unreachable.
    case FetchOutcome::HttpStatus:
    case FetchOutcome::TooLarge:
    case FetchOutcome::NoAddress:
    case FetchOutcome::MalformedResponse:
      finding("MTASTS_POLICY_UNREACHABLE", Status::Fail)->arg("reason", f.detail);
      return;
    case FetchOutcome::NotAllowed: {
      std::vector<std::string> refused;
      for (const auto& t : f.attempts)
        if (!t.allowed) refused.push_back(t.address + " " + t.address_class);
      finding("MTASTS_TARGET_NOT_ALLOWED", Status::Error)
          ->arg("host", f.host)
          .arg("address", joined(refused, ", "));
      return;
    }
    // Timeouts, refused connections, DNS failures, 5xx/429: we could not tell (retried later).
    case FetchOutcome::DnsError:
    case FetchOutcome::ConnectFailed:
    case FetchOutcome::Timeout:
    case FetchOutcome::TlsFailed:
    case FetchOutcome::ServerUnavailable:
    case FetchOutcome::ConnectionDropped:
      finding("MTASTS_FETCH_ERROR", Status::Error)
          ->arg("outcome", std::string(toString(f.outcome)))
          .arg("reason", f.detail);
      return;
  }
}

// What judge() is given besides the MTA-STS evidence; a null pointer is evidence not gathered.
struct Context {
  const mx::MxEvidence* mx = nullptr;
  const tls::TlsEvidence* tls = nullptr;
  std::chrono::system_clock::time_point now{};
};

// A fetched, parsed policy: mode (§5), max_age (§3.2), MX coverage (§4.1) and, with TLS evidence,
// the covered MX hosts' STARTTLS (§4.2, §5.1). Returns the coverage evidence.
Json judgePolicy(const MtaStsEvidence& e, const PolicyFetch& f, const Context& context,
                 CheckResult& r) {
  const mx::MxEvidence* mx = context.mx;
  const MtaStsPolicy& p = *f.policy;
  if (!p.valid) {
    r.add(makeFinding("MTASTS_POLICY_INVALID", Status::Fail)
              .arg("domain", e.domain)
              .arg("url", f.url)
              .arg("reason", joined(p.problems, "; ")));
    return Json();
  }
  r.add(makeFinding("MTASTS_POLICY_FETCHED", Status::Info)
            .arg("url", f.url)
            .arg("mode", std::string(toString(*p.mode)))
            .arg("max_age", *p.max_age));
  if (*p.mode == StsMode::None) {
    // §8.3: mode none is the step that withdraws MTA-STS. With the record still published the
    // domain announces MTA-STS yet protects nothing: judged as absent (fail), mx not consulted.
    r.add(makeFinding("MTASTS_MODE_NONE", Status::Fail).arg("domain", e.domain));
    return Json();
  }
  if (*p.mode == StsMode::Testing)
    r.add(makeFinding("MTASTS_MODE_TESTING", Status::Warn).arg("domain", e.domain));
  if (*p.max_age < kShortMaxAge)
    r.add(makeFinding("MTASTS_MAX_AGE_SHORT", Status::Warn).arg("max_age", *p.max_age));

  if (mx == nullptr) {
    r.add(makeFinding("MTASTS_MX_NOT_CHECKED", Status::Info));
    return Json();
  }
  if (mx->mx.isError()) {
    r.add(makeFinding("MTASTS_MX_UNKNOWN", Status::Error)
              .arg("status", std::string(dns::toString(mx->mx.status))));
    return Json();
  }
  // §4.1: each MX host (or the domain itself under implicit MX, RFC 5321 §5.1) must match a
  // pattern; an IP-literal MX cannot match any (patterns are names).
  Json coverage = Json::array();
  bool all = true;
  for (const auto& host : mx::mailTargets(*mx)) {
    const bool covered = !host.ip_literal && p.matchesMx(host.name);
    coverage.push(Json::object({{"host", host.name}, {"covered", covered}}));
    if (!covered) {
      all = false;
      r.add(makeFinding("MTASTS_MX_NOT_COVERED", Status::Fail)
                .arg("domain", e.domain)
                .arg("host", host.name)
                .arg("patterns", joined(p.mx, ", ")));
    }
  }
  // §4.2/§5.1: a covered host a sender cannot reach over valid TLS. Judged before the pass, which
  // it withholds; "could not tell" adds nothing (a timeout does not accuse the host).
  MxTlsCrossCheck transport = crossCheckMxTls(e, context.tls, context.now);
  for (auto& finding : transport.findings) r.add(std::move(finding));
  if (!transport.evidence.isNull()) r.evidence.set("mx_starttls", transport.evidence);
  if (all && *p.mode == StsMode::Enforce && r.status <= Status::Info)
    r.add(makeFinding("MTASTS_POLICY_ENFORCED", Status::Pass));
  return Json::object({{"mx_hosts", coverage},
                       {"mx_total", static_cast<std::int64_t>(mx->total_hosts)},
                       {"mx_judged_at_most", static_cast<std::int64_t>(mx::kMaxMxHosts)}});
}

// Spec: docs/checks/MTASTS-01.md
CheckResult judge(const MtaStsEvidence& e, const Context& context, const DomainProfile& profile) {
  CheckResult r;
  r.id = "MTASTS-01";
  if (!profile.receives_mail) {
    r.status = Status::Na;
    r.evidence = Json::object({{"domain", e.domain}, {"reason", "domain does not receive mail"}});
    return r;
  }
  r.evidence = e.toJson();
  const std::string name = "_mta-sts." + e.domain;
  if (e.answer.isError()) {
    r.add(makeFinding("MTASTS_LOOKUP_ERROR", Status::Error)
              .arg("name", name)
              .arg("status", std::string(dns::toString(e.answer.status))));
    return r;
  }
  // §3.1: "records that do not begin with "v=STSv1;" are discarded. If the number of resulting
  // records is not one, or if the resulting record is syntactically invalid, senders MUST assume
  // the recipient domain does not have an available MTA-STS Policy".
  std::vector<const MtaStsRecord*> sts;
  const MtaStsRecord* misformatted = nullptr;
  for (const auto& rec : e.records) {
    if (rec.state != StsRecordState::NotSts) {
      sts.push_back(&rec);
    } else if (rec.looks_like_sts && misformatted == nullptr) {
      misformatted = &rec;
    }
  }
  if (sts.size() > 1) {
    r.add(makeFinding("MTASTS_MULTIPLE_RECORDS", Status::Fail)
              .arg("name", name)
              .arg("domain", e.domain)
              .arg("count", static_cast<std::int64_t>(sts.size())));
  } else if (sts.size() == 1 && sts[0]->state == StsRecordState::Valid) {
    // The id is checked for syntax only (1*32 ALPHA / DIGIT, by the record parser). Whether it is
    // "right" cannot be judged: §3.1 makes it an opaque change marker that a sender compares with
    // the id of the policy it has cached ("If the policy id differs from the cached policy's,
    // refetch"), and the policy file itself carries no id (§3.2). A first-time fetcher holds no
    // cached policy, so an id left unchanged after a policy edit (the lab's "wrong id") looks
    // exactly like a correct one; the body's SHA-256 in the evidence lets a later run compare.
    r.add(makeFinding("MTASTS_RECORD_VALID", Status::Info).arg("id", sts[0]->id));
    if (!e.fetch) {
      // Network checks disabled: the policy decides pass, warn or fail; without it, no pass.
      r.add(makeFinding("MTASTS_POLICY_NOT_FETCHED", Status::Info));
    } else {
      judgeFetch(e, *e.fetch, r);
      if (e.fetch->outcome == FetchOutcome::Ok && e.fetch->policy) {
        Json coverage = judgePolicy(e, *e.fetch, context, r);
        if (!coverage.isNull()) r.evidence.set("coverage", coverage);
      }
    }
  } else if (sts.size() == 1 || misformatted != nullptr) {
    // A record meant as MTA-STS but discarded (v=STSv1 not first, wrong version) is reported as
    // invalid rather than missing: the remedy is to fix it, not to add one.
    const MtaStsRecord* bad = sts.size() == 1 ? sts[0] : misformatted;
    r.add(makeFinding("MTASTS_RECORD_INVALID", Status::Fail)
              .arg("name", name)
              .arg("domain", e.domain)
              .arg("reason", bad->problem));
  } else {
    r.add(makeFinding("MTASTS_RECORD_MISSING", Status::Fail)
              .arg("name", name)
              .arg("domain", e.domain));
  }
  fillRemediation(r, mtaStsTagSpecs());
  return r;
}

}  // namespace

Json MtaStsEvidence::toJson() const {
  Json out = Json::object({{"domain", domain}, {"answer", dns::toJson(answer)}});
  Json recs = Json::array();
  for (std::size_t i = 0; i < records.size(); ++i) {
    Json one = mta_sts::toJson(records[i]);
    one.set("text", texts[i]);
    recs.push(one);
  }
  out.set("records", recs);
  if (fetch) out.set("fetch", fetch->toJson());
  return out;
}

MtaStsEvidence gatherMtaSts(dns::Resolver& resolver, std::string_view domain,
                            const PolicyFetchOptions* fetch) {
  MtaStsEvidence e;
  e.domain = dns::normaliseName(domain);
  e.answer = resolver.query("_mta-sts." + e.domain, dns::rr::TXT);
  if (e.answer.status == dns::DnsStatus::NoError) {
    for (const auto& rec : e.answer.records) {
      e.texts.push_back(rec.joinedText());
      e.records.push_back(parseMtaStsRecord(e.texts.back()));
    }
  }
  // §3.3: a sender fetches the policy only after finding exactly one valid record; so do we.
  const auto valid = std::count_if(e.records.begin(), e.records.end(), [](const MtaStsRecord& r) {
    return r.state == StsRecordState::Valid;
  });
  const auto sts = std::count_if(e.records.begin(), e.records.end(), [](const MtaStsRecord& r) {
    return r.state != StsRecordState::NotSts;
  });
  if (fetch != nullptr && valid == 1 && sts == 1)
    e.fetch = fetchMtaStsPolicy(resolver, e.domain, *fetch);
  return e;
}

MtaStsEvidence gatherMtaSts(dns::Resolver& resolver, std::string_view domain) {
  return gatherMtaSts(resolver, domain, nullptr);
}

CheckResult judgeMtaSts01(const MtaStsEvidence& e, const mx::MxEvidence& mx,
                          const DomainProfile& profile) {
  return judge(e, Context{&mx}, profile);
}

CheckResult judgeMtaSts01(const MtaStsEvidence& e, const mx::MxEvidence& mx,
                          const tls::TlsEvidence* tls, const DomainProfile& profile,
                          std::chrono::system_clock::time_point now) {
  return judge(e, Context{&mx, tls, now}, profile);
}

CheckResult judgeMtaSts01(const MtaStsEvidence& e, const DomainProfile& profile) {
  return judge(e, Context{}, profile);
}

std::span<const TagSpec> mtaStsTagSpecs() {
  return kTagSpecs;
}

}  // namespace mh::mta_sts
