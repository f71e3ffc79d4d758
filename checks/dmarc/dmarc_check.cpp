// DMARC-01..04: policy discovery (RFC 7489 §6.6.3 / RFC 9989 §4.10), judging, report authorisation.
#include "checks/dmarc/dmarc_check.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "checks/core/text.hpp"

namespace mh::dmarc {
namespace {

using dns::DnsStatus;

// clang-format off
constexpr std::array kTagSpecs = {
    // --- record parser (dmarc_record.cpp) ---
    TagSpec{"DMARC_RECORD_LEADING_WHITESPACE", "DMARC-01",
            "The DMARC record starts with whitespace before v=DMARC1; strict receivers discard it (RFC 9989 §4.8)",
            "Publish the record with v=DMARC1 as its very first characters: _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\".",
            "Công bố bản ghi bắt đầu ngay bằng v=DMARC1, không có khoảng trắng phía trước: _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\".",
            "Bản ghi DMARC có khoảng trắng trước v=DMARC1; bên nhận xử lý nghiêm ngặt sẽ bỏ qua bản ghi này (RFC 9989 §4.8)"},
    TagSpec{"DMARC_VERSION_INVALID", "DMARC-01",
            "A TXT record at _dmarc starts with v={value}, not v=DMARC1 (case-sensitive), and is ignored",
            "", "",
            "Một bản ghi TXT tại _dmarc bắt đầu bằng v={value} chứ không phải v=DMARC1 (phân biệt chữ hoa, chữ thường) nên bị bỏ qua"},
    TagSpec{"DMARC_TAG_SYNTAX", "DMARC-01",
            "\"{element}\" is not a tag=value pair and is ignored (RFC 9989 §4.8)",
            "Remove or correct \"{element}\" in the DMARC record; every element must be tag=value, separated by ';'.",
            "Xoá hoặc sửa \"{element}\" trong bản ghi DMARC; mỗi phần tử phải có dạng thẻ=giá trị, ngăn cách bằng dấu ';'.",
            "\"{element}\" không phải cặp thẻ=giá trị nên bị bỏ qua (RFC 9989 §4.8)"},
    TagSpec{"DMARC_EMPTY_ELEMENT", "DMARC-01",
            "The DMARC record contains an empty element (';;')", "", "",
            "Bản ghi DMARC có một phần tử rỗng (';;')"},
    TagSpec{"DMARC_DUPLICATE_TAG", "DMARC-01",
            "Tag {tag} appears more than once, which invalidates the whole record (RFC 6376 §3.2 via RFC 9989 §4.7)",
            "Keep a single {tag}= tag in the DMARC record at _dmarc.{domain}.",
            "Chỉ giữ một thẻ {tag}= trong bản ghi DMARC tại _dmarc.{domain}.",
            "Thẻ {tag} xuất hiện nhiều lần, làm toàn bộ bản ghi mất hiệu lực (RFC 6376 §3.2 theo RFC 9989 §4.7)"},
    TagSpec{"DMARC_TAG_INVALID_VALUE", "DMARC-01",
            "Tag {tag} has the invalid value \"{value}\"; receivers discard it and use the default (RFC 9989 §4.7)",
            "Correct the value of {tag}= in the DMARC record (see RFC 9989 §4.7), or remove the tag.",
            "Sửa giá trị của thẻ {tag}= trong bản ghi DMARC (xem RFC 9989 §4.7), hoặc xoá thẻ này.",
            "Thẻ {tag} có giá trị không hợp lệ \"{value}\"; bên nhận bỏ qua và dùng giá trị mặc định (RFC 9989 §4.7)"},
    TagSpec{"DMARC_UNKNOWN_TAG", "DMARC-01",
            "Unknown tag {tag} is ignored (RFC 9989 §4.7)", "", "",
            "Thẻ không xác định {tag} bị bỏ qua (RFC 9989 §4.7)"},
    TagSpec{"DMARC_LEGACY_TAG", "DMARC-01",
            "Tag {tag} is historic in RFC 9989 (DMARCbis) and ignored by its receivers; RFC 7489 receivers still read it",
            "", "",
            "Thẻ {tag} đã lỗi thời trong RFC 9989 (DMARCbis) và bị bên nhận theo chuẩn này bỏ qua; bên nhận theo RFC 7489 vẫn đọc thẻ này"},
    TagSpec{"DMARC_POLICY_MISSING", "DMARC-01",
            "The record has no p= tag; with a valid rua it acts as p=none, without one no DMARC processing applies (RFC 9989 §4.10.1)",
            "Add an explicit policy: _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\".",
            "Thêm chính sách tường minh: _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\".",
            "Bản ghi không có thẻ p=; nếu có rua hợp lệ thì bản ghi có tác dụng như p=none, nếu không thì không áp dụng xử lý DMARC nào (RFC 9989 §4.10.1)"},
    TagSpec{"DMARC_POLICY_INVALID", "DMARC-01",
            "{tag}={value} is not none, quarantine or reject; with a valid rua the record acts as p=none, without one no DMARC processing applies (RFC 9989 §4.10.1)",
            "Set {tag}= to none, quarantine or reject, e.g. _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\".",
            "Đặt {tag}= là none, quarantine hoặc reject, ví dụ _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\".",
            "{tag}={value} không phải none, quarantine hay reject; nếu có rua hợp lệ thì bản ghi có tác dụng như p=none, nếu không thì không áp dụng xử lý DMARC nào (RFC 9989 §4.10.1)"},
    TagSpec{"DMARC_POLICY_NOT_SECOND", "DMARC-01",
            "p= is not the tag right after v=DMARC1 (required by RFC 7489 §6.4, allowed by RFC 9989 §4.8)", "", "",
            "p= không phải là thẻ đứng ngay sau v=DMARC1 (RFC 7489 §6.4 bắt buộc, RFC 9989 §4.8 cho phép)"},
    TagSpec{"DMARC_URI_INVALID", "DMARC-04",
            "{tag} entry \"{uri}\" is not a valid report URI and is ignored",
            "Write report addresses as mailto: URIs, e.g. rua=mailto:dmarc@{domain}.",
            "Ghi địa chỉ nhận báo cáo dưới dạng URI mailto:, ví dụ rua=mailto:dmarc@{domain}.",
            "Địa chỉ {tag} \"{uri}\" không phải URI nhận báo cáo hợp lệ nên bị bỏ qua"},
    TagSpec{"DMARC_URI_UNSUPPORTED_SCHEME", "DMARC-04",
            "{tag} entry \"{uri}\" is not a mailto: URI; receivers need only support mailto: (RFC 9989 §4.7)",
            "Add a mailto: destination, e.g. rua=mailto:dmarc@{domain}.",
            "Thêm địa chỉ nhận dạng mailto:, ví dụ rua=mailto:dmarc@{domain}.",
            "Địa chỉ {tag} \"{uri}\" không phải URI mailto:; bên nhận chỉ bắt buộc hỗ trợ mailto: (RFC 9989 §4.7)"},
    TagSpec{"DMARC_URI_SIZE_LIMIT", "DMARC-04",
            "{tag} entry {uri} has the size limit !{size}, obsolete in RFC 9989 and ignored by its receivers", "", "",
            "Địa chỉ {tag} {uri} có giới hạn kích thước !{size}, đã lỗi thời trong RFC 9989 và bị bên nhận theo chuẩn này bỏ qua"},
    TagSpec{"DMARC_URI_MANY", "DMARC-04",
            "{tag} lists {count} destinations; receivers must support only two (RFC 7489 §6.2)", "", "",
            "{tag} liệt kê {count} địa chỉ nhận; bên nhận chỉ bắt buộc hỗ trợ hai địa chỉ (RFC 7489 §6.2)"},
    // --- discovery and DMARC-01 ---
    TagSpec{"DMARC_LOOKUP_ERROR", "DMARC-01",
            "The lookup of {name} failed ({status}); the DMARC state is unknown (shared by DMARC-01..04)", "", "",
            "Truy vấn {name} thất bại ({status}); không xác định được trạng thái DMARC (dùng chung cho DMARC-01..04)"},
    TagSpec{"DMARC_RECORD_FOUND", "DMARC-01", "One DMARC record at {name}", "", "",
            "Có một bản ghi DMARC tại {name}"},
    TagSpec{"DMARC_NO_RECORD", "DMARC-01",
            "No DMARC record at _dmarc.{domain} nor at its organisational domain {org_domain}",
            "Publish a DMARC record: _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\" (start with p=none only while collecting reports).",
            "Công bố bản ghi DMARC: _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\" (chỉ dùng p=none trong thời gian đầu để thu thập báo cáo).",
            "Không có bản ghi DMARC tại _dmarc.{domain} cũng như tại tên miền cấp tổ chức {org_domain}"},
    TagSpec{"DMARC_MULTIPLE_RECORDS", "DMARC-01",
            "{count} DMARC records at {name}; receivers discard all of them (RFC 9989 §4.10 step 2)",
            "Keep exactly one TXT record starting with v=DMARC1 at {name}.",
            "Chỉ giữ đúng một bản ghi TXT bắt đầu bằng v=DMARC1 tại {name}.",
            "Có {count} bản ghi DMARC tại {name}; bên nhận bỏ qua tất cả (RFC 9989 §4.10 bước 2)"},
    TagSpec{"DMARC_RECORD_INVALID", "DMARC-01",
            "The DMARC record at {name} cannot be applied by receivers",
            "Replace the record at {name} with a valid one, e.g. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\".",
            "Thay bản ghi tại {name} bằng một bản ghi hợp lệ, ví dụ TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\".",
            "Bên nhận không thể áp dụng bản ghi DMARC tại {name}"},
    TagSpec{"DMARC_INHERITED", "DMARC-01",
            "No record at _dmarc.{domain}; the policy of the organisational domain {org_domain} applies",
            "Publish the domain's own record: _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{org_domain}\".",
            "Công bố bản ghi riêng cho tên miền: _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{org_domain}\".",
            "Không có bản ghi tại _dmarc.{domain}; áp dụng chính sách của tên miền cấp tổ chức {org_domain}"},
    TagSpec{"DMARC_NO_USABLE_RECORD", "DMARC-02",
            "No usable DMARC record applies to {domain}, so there is no policy (see DMARC-01; shared by DMARC-02..04)",
            "Publish a DMARC record: _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\".",
            "Công bố bản ghi DMARC: _dmarc.{domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}\".",
            "Không có bản ghi DMARC dùng được cho {domain} nên không có chính sách (xem DMARC-01; dùng chung cho DMARC-02..04)"},
    // --- DMARC-02 ---
    TagSpec{"DMARC_POLICY_REJECT", "DMARC-02", "Applied policy {tag}=reject (from {record_domain})", "", "",
            "Chính sách được áp dụng: {tag}=reject (theo {record_domain})"},
    TagSpec{"DMARC_POLICY_QUARANTINE", "DMARC-02",
            "Applied policy {tag}=quarantine (from {record_domain}): failing mail is only quarantined",
            "Move to reject once reports show legitimate mail passes: _dmarc.{record_domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{record_domain}\".",
            "Chuyển sang reject khi báo cáo cho thấy thư hợp lệ đều đạt DMARC: _dmarc.{record_domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{record_domain}\".",
            "Chính sách được áp dụng: {tag}=quarantine (theo {record_domain}): thư không đạt chỉ bị đưa vào khu cách ly"},
    TagSpec{"DMARC_POLICY_NONE", "DMARC-02",
            "Applied policy {tag}={policy} (from {record_domain}): receivers take no action on forged mail",
            "Enforce the policy: _dmarc.{record_domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{record_domain}\" (p=quarantine as an intermediate step).",
            "Áp dụng chính sách thực thi: _dmarc.{record_domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{record_domain}\" (có thể dùng p=quarantine làm bước trung gian).",
            "Chính sách được áp dụng: {tag}={policy} (theo {record_domain}): bên nhận không xử lý thư giả mạo"},
    TagSpec{"DMARC_PCT_PARTIAL", "DMARC-02",
            "pct={pct}: RFC 7489 receivers apply the policy to only {pct}% of failing mail",
            "Remove pct= (historic in RFC 9989) or set pct=100 in the record at _dmarc.{record_domain}.",
            "Xoá thẻ pct= (đã lỗi thời theo RFC 9989) hoặc đặt pct=100 trong bản ghi tại _dmarc.{record_domain}.",
            "pct={pct}: bên nhận theo RFC 7489 chỉ áp dụng chính sách cho {pct}% số thư không đạt"},
    TagSpec{"DMARC_TESTING_MODE", "DMARC-02",
            "t=y (test mode): RFC 9989 receivers apply {applied} instead of {policy}",
            "Remove t=y from the record at _dmarc.{record_domain} once testing is over.",
            "Xoá thẻ t=y khỏi bản ghi tại _dmarc.{record_domain} khi đã kết thúc giai đoạn thử nghiệm.",
            "t=y (chế độ thử nghiệm): bên nhận theo RFC 9989 áp dụng {applied} thay cho {policy}"},
    TagSpec{"DMARC_POLICY_INHERITED", "DMARC-02",
            "The policy is inherited from {record_domain}: its {tag} tag applies to {domain}", "", "",
            "Chính sách được kế thừa từ {record_domain}: thẻ {tag} của tên miền đó áp dụng cho {domain}"},
    TagSpec{"DMARC_DOMAIN_EXISTENCE_UNKNOWN", "DMARC-02",
            "Could not tell whether {domain} exists ({status}); sp (not np) was assumed to apply", "", "",
            "Không xác định được {domain} có tồn tại hay không ({status}); giả định áp dụng sp (không phải np)"},
    // --- DMARC-03 ---
    TagSpec{"DMARC_SUBDOMAINS_COVERED", "DMARC-03",
            "Subdomains of {record_domain}: sp={sp}, np={np}, not weaker than p={p}", "", "",
            "Tên miền con của {record_domain}: sp={sp}, np={np}, không yếu hơn p={p}"},
    TagSpec{"DMARC_SP_NONE", "DMARC-03",
            "sp=none at {record_domain}: forged mail from subdomains is not acted on",
            "Remove sp= (subdomains then follow p) or set sp=reject in the record at _dmarc.{record_domain}.",
            "Xoá thẻ sp= (khi đó tên miền con theo p) hoặc đặt sp=reject trong bản ghi tại _dmarc.{record_domain}.",
            "sp=none tại {record_domain}: thư giả mạo từ tên miền con không bị xử lý"},
    TagSpec{"DMARC_SP_WEAKER", "DMARC-03",
            "sp={sp} at {record_domain} is weaker than p={p}",
            "Remove sp= or set sp={p} in the record at _dmarc.{record_domain}.",
            "Xoá thẻ sp= hoặc đặt sp={p} trong bản ghi tại _dmarc.{record_domain}.",
            "sp={sp} tại {record_domain} yếu hơn p={p}"},
    TagSpec{"DMARC_NP_NONE", "DMARC-03",
            "np=none at {record_domain}: forged mail from non-existent subdomains is not acted on",
            "Remove np= or set np=reject in the record at _dmarc.{record_domain}.",
            "Xoá thẻ np= hoặc đặt np=reject trong bản ghi tại _dmarc.{record_domain}.",
            "np=none tại {record_domain}: thư giả mạo từ tên miền con không tồn tại không bị xử lý"},
    TagSpec{"DMARC_NP_WEAKER", "DMARC-03",
            "np={np} at {record_domain} is weaker than p={p}",
            "Remove np= or set np={p} in the record at _dmarc.{record_domain}.",
            "Xoá thẻ np= hoặc đặt np={p} trong bản ghi tại _dmarc.{record_domain}.",
            "np={np} tại {record_domain} yếu hơn p={p}"},
    TagSpec{"DMARC_SP_IGNORED_ON_SUBDOMAIN", "DMARC-03",
            "{domain} is not an organisational domain: its sp/np tags are ignored; its subdomains follow {org_domain} (RFC 9989 §4.7)",
            "", "",
            "{domain} không phải tên miền cấp tổ chức: các thẻ sp/np của nó bị bỏ qua; tên miền con của nó theo {org_domain} (RFC 9989 §4.7)"},
    TagSpec{"DMARC_SUBDOMAIN_ORG_NO_RECORD", "DMARC-03",
            "Subdomains of {domain} fall back to the organisational domain {org_domain}, which has no usable DMARC record",
            "Ask the administrator of {org_domain} to publish _dmarc.{org_domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{org_domain}\".",
            "Đề nghị đơn vị quản trị {org_domain} công bố _dmarc.{org_domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{org_domain}\".",
            "Tên miền con của {domain} dùng chính sách của tên miền cấp tổ chức {org_domain}, nhưng tên miền này không có bản ghi DMARC dùng được"},
    // --- DMARC-04 ---
    TagSpec{"DMARC_RUA_PRESENT", "DMARC-04", "Aggregate reports go to {uri} ({count} mailto destination(s))", "", "",
            "Báo cáo tổng hợp được gửi tới {uri} ({count} địa chỉ mailto)"},
    TagSpec{"DMARC_RUF_ONLY", "DMARC-04",
            "Only failure reports (ruf) are requested; no aggregate reports (rua)",
            "Add aggregate reporting: rua=mailto:dmarc@{record_domain} in the record at _dmarc.{record_domain}.",
            "Bổ sung nhận báo cáo tổng hợp: rua=mailto:dmarc@{record_domain} trong bản ghi tại _dmarc.{record_domain}.",
            "Chỉ yêu cầu báo cáo lỗi (ruf); không yêu cầu báo cáo tổng hợp (rua)"},
    TagSpec{"DMARC_REPORTING_MISSING", "DMARC-04",
            "No usable rua or ruf mailto: destination; nobody receives DMARC reports for {record_domain}",
            "Add aggregate reporting: _dmarc.{record_domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{record_domain}\".",
            "Bổ sung nhận báo cáo tổng hợp: _dmarc.{record_domain} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{record_domain}\".",
            "Không có địa chỉ mailto: rua hoặc ruf dùng được; không ai nhận báo cáo DMARC cho {record_domain}"},
    TagSpec{"DMARC_EXTERNAL_AUTHORISED", "DMARC-04",
            "{tag} destination {destination} accepts reports for {record_domain} ({name})", "", "",
            "Địa chỉ {tag} {destination} chấp nhận báo cáo cho {record_domain} ({name})"},
    TagSpec{"DMARC_DESTINATION_CANNOT_RECEIVE", "DMARC-04",
            "Report destination {destination} ({uri}) cannot receive mail ({reason}): the reports bounce",
            "Send reports to an address whose domain has an MX record (or an address), e.g. rua=mailto:dmarc@{destination} once {destination} receives mail, or a mailbox under the agency's own mail domain.",
            "Gửi báo cáo tới một địa chỉ mà tên miền có bản ghi MX (hoặc địa chỉ IP), ví dụ rua=mailto:dmarc@{destination} khi {destination} đã nhận được thư, hoặc một hộp thư thuộc tên miền thư của chính cơ quan.",
            "Địa chỉ nhận báo cáo {destination} ({uri}) không nhận được thư ({reason}): báo cáo sẽ bị trả lại"},
    TagSpec{"DMARC_DESTINATION_LOOKUP_ERROR", "DMARC-04",
            "Could not tell whether report destination {destination} receives mail: {name} {type} {status}",
            "Make sure the name servers of {destination} answer; the check is run again.",
            "Bảo đảm máy chủ tên của {destination} trả lời truy vấn; phép kiểm tra sẽ được thực hiện lại.",
            "Không xác định được địa chỉ nhận báo cáo {destination} có nhận được thư hay không: {name} {type} {status}"},
    TagSpec{"DMARC_EXTERNAL_RUA_UNAUTHORISED", "DMARC-04",
            "rua {uri}: {destination} does not authorise reports for {record_domain} (no v=DMARC1 at {name}, RFC 7489 §7.1); receivers drop these reports",
            "Ask the operator of {destination} to publish {name} TXT \"v=DMARC1\", or use an address under {record_domain}.",
            "Đề nghị đơn vị vận hành {destination} công bố {name} TXT \"v=DMARC1\", hoặc dùng địa chỉ thuộc {record_domain}.",
            "rua {uri}: {destination} không cho phép nhận báo cáo cho {record_domain} (không có v=DMARC1 tại {name}, RFC 7489 §7.1); bên nhận sẽ bỏ các báo cáo này"},
    TagSpec{"DMARC_EXTERNAL_RUF_UNAUTHORISED", "DMARC-04",
            "ruf {uri}: {destination} does not authorise reports for {record_domain} (no v=DMARC1 at {name}, RFC 7489 §7.1); receivers drop these reports",
            "Ask the operator of {destination} to publish {name} TXT \"v=DMARC1\", or use an address under {record_domain}.",
            "Đề nghị đơn vị vận hành {destination} công bố {name} TXT \"v=DMARC1\", hoặc dùng địa chỉ thuộc {record_domain}.",
            "ruf {uri}: {destination} không cho phép nhận báo cáo cho {record_domain} (không có v=DMARC1 tại {name}, RFC 7489 §7.1); bên nhận sẽ bỏ các báo cáo này"},
    TagSpec{"DMARC_EXTERNAL_AUTH_LOOKUP_ERROR", "DMARC-04",
            "The authorisation lookup {name} for {uri} failed ({status}); whether {destination} accepts the reports is unknown",
            "", "",
            "Truy vấn xác nhận quyền {name} cho {uri} thất bại ({status}); không xác định được {destination} có chấp nhận báo cáo hay không"},
};
// clang-format on

Finding& addTo(CheckResult& r, std::string tag, Status s) {
  return r.add(makeFinding(tag, s));
}

DmarcLookup lookupDmarc(dns::Resolver& resolver, const std::string& domain) {
  DmarcLookup l;
  l.name = "_dmarc." + domain;
  l.asked = true;
  l.answer = resolver.query(l.name, dns::rr::TXT);
  if (l.answer.status != DnsStatus::NoError) return l;
  for (const auto& rec : l.answer.records) {
    if (rec.type != dns::rr::TXT) continue;
    // Character-strings joined without separators (RFC 9989 §4.5; RFC 7489 §6.6.3 step 1).
    std::string text = rec.joinedText();
    (startsWithDmarcVersion(text) ? l.records : l.ignored).push_back(std::move(text));
  }
  return l;
}

// The lookups each check needs; an error in any of them makes the check Error.
std::vector<const DmarcLookup*> neededLookups(const DmarcEvidence& e, bool forSubdomains) {
  std::vector<const DmarcLookup*> out{&e.own};
  bool needOrg = e.own.records.empty() || (forSubdomains && e.domain != e.org_domain);
  if (e.org.asked && needOrg) out.push_back(&e.org);
  return out;
}

// Adds DMARC_LOOKUP_ERROR for every failed lookup the check needs; true when there was one.
bool addLookupErrors(CheckResult& r, const DmarcEvidence& e, bool forSubdomains) {
  bool any = false;
  // A failed lookup hides everything after it: report the first, and the org one only when the
  // own lookup answered (the org lookup is not reached otherwise).
  for (const DmarcLookup* l : neededLookups(e, forSubdomains)) {
    if (!l->error()) continue;
    addTo(r, "DMARC_LOOKUP_ERROR", Status::Error)
        .arg("name", l->name)
        .arg("status", std::string(dns::toString(l->answer.status)));
    any = true;
  }
  return any;
}

const TagSpec* specOf(std::string_view tag) {
  return findTagSpec(kTagSpecs, tag);
}

// Copies the parser's findings that belong to a check, with the domain for the remediation text.
void addParseFindings(CheckResult& r, const DmarcParse& p, std::string_view checkId,
                      const std::string& domain) {
  for (Finding f : p.findings) {
    const TagSpec* spec = specOf(f.tag);
    if (spec == nullptr || spec->check_id != checkId) continue;
    if (f.argText("domain").empty()) f.arg("domain", domain);
    r.add(std::move(f));
  }
}

CheckResult start(std::string id, const DmarcEvidence& e) {
  CheckResult r;
  r.id = std::move(id);
  r.evidence = toJson(e);
  return r;
}

CheckResult finish(CheckResult r) {
  fillRemediation(r, kTagSpecs);
  return r;
}

bool usable(const DmarcEvidence& e) {
  return e.parse && e.parse->usable;
}

CheckResult noUsableRecord(CheckResult r, const DmarcEvidence& e) {
  addTo(r, "DMARC_NO_USABLE_RECORD", Status::Fail).arg("domain", e.domain);
  return finish(std::move(r));
}

// The tag whose value applies to the audited domain, and that value before t=y.
struct Applied {
  Policy policy = Policy::None;
  std::string tag = "p";
};

Applied statedPolicy(const DmarcEvidence& e) {
  const DmarcRecord& rec = e.parse->record;
  Applied a;
  if (!e.inherited || rec.acts_as_none) {
    a.policy = rec.policy();
    return a;
  }
  // Inherited from the organisational domain: the audited domain is a subdomain of it, so sp
  // applies, or np when the domain does not exist (RFC 9989 §4.7). Unknown existence: assumed to
  // exist (the audited domains are mail domains in use).
  if (e.domain_exists == false) {
    a.policy = rec.nonExistentPolicy();
    a.tag = rec.np ? "np" : rec.sp ? "sp" : "p";
  } else {
    a.policy = rec.subdomainPolicy();
    a.tag = rec.sp ? "sp" : "p";
  }
  return a;
}

Json parseJson(const DmarcParse& p) {
  Json j = Json::object();
  j.set("is_dmarc", p.is_dmarc);
  j.set("usable", p.usable);
  const DmarcRecord& r = p.record;
  if (p.usable) {
    j.set("policy", toString(r.policy()));
    j.set("subdomain_policy", toString(r.subdomainPolicy()));
    j.set("nonexistent_policy", toString(r.nonExistentPolicy()));
    j.set("acts_as_none", r.acts_as_none);
    j.set("testing", r.testing);
    if (r.pct) j.set("pct", *r.pct);
  }
  Json tags = Json::object();
  for (const auto& [k, v] : r.tags) tags.set(k, v);
  j.set("tags", tags);
  Json findings = Json::array();
  for (const auto& f : p.findings) findings.push(toJson(f));
  j.set("findings", findings);
  return j;
}

Json lookupJson(const DmarcLookup& l) {
  Json j = dns::toJson(l.answer);
  Json recs = Json::array();
  for (const auto& t : l.records) recs.push(t);
  j.set("dmarc_records", recs);
  return j;
}

}  // namespace

namespace {

enum class Receives { Yes, No, Unknown };

// Can the destination domain receive mail? An MX other than the null MX, or (with no MX record)
// an address; a null MX alone says it accepts none (RFC 7505). A failed lookup: we cannot tell.
Receives receivesMail(const ReportDestination& d) {
  if (d.mx.isError()) return Receives::Unknown;
  if (d.mx.hasRecords()) {
    for (const auto& rec : d.mx.records)
      if (rec.type == dns::rr::MX && rec.data != ".") return Receives::Yes;
    return Receives::No;
  }
  if ((d.a && d.a->isError()) || (d.aaaa && d.aaaa->isError())) return Receives::Unknown;
  if ((d.a && d.a->hasRecords()) || (d.aaaa && d.aaaa->hasRecords())) return Receives::Yes;
  return Receives::No;
}

}  // namespace

bool DmarcEvidence::lookupError() const {
  for (const DmarcLookup* l : neededLookups(*this, true))
    if (l->error()) return true;
  return false;
}

DmarcEvidence gatherDmarc(dns::Resolver& resolver, std::string_view domain,
                          const PublicSuffixList& psl) {
  DmarcEvidence e;
  e.domain = dns::normaliseName(domain);
  e.org_domain = psl.organizationalDomain(e.domain);
  e.own = lookupDmarc(resolver, e.domain);
  if (e.own.error()) return e;  // nothing below can be trusted without the first answer
  // A name below <domain> answers NOERROR/NODATA only when <domain> exists (RFC 8020).
  if (e.own.answer.status == DnsStatus::NoError || e.own.answer.status == DnsStatus::NoData)
    e.domain_exists = true;
  if (e.org_domain != e.domain) e.org = lookupDmarc(resolver, e.org_domain);

  if (e.own.records.size() == 1) {
    e.parse = parseDmarcRecord(e.own.records.front());
    e.record_text = e.own.records.front();
    e.record_domain = e.domain;
    if (e.org.asked && !e.org.error() && e.org.records.size() == 1)
      e.org_parse = parseDmarcRecord(e.org.records.front());
  } else if (e.own.records.empty() && e.org.asked && !e.org.error() && e.org.records.size() == 1) {
    // RFC 7489 §6.6.3 step 4: no record (as opposed to a transient error) at the domain: the
    // Organisational Domain's record applies. Several records at the domain end discovery (step 3).
    e.parse = parseDmarcRecord(e.org.records.front());
    e.record_text = e.org.records.front();
    e.record_domain = e.org_domain;
    e.inherited = true;
    if (!e.domain_exists) {
      dns::DnsAnswer a = resolver.query(e.domain, dns::rr::A);
      if (a.status == DnsStatus::NxDomain)
        e.domain_exists = false;
      else if (a.status == DnsStatus::NoError || a.status == DnsStatus::NoData)
        e.domain_exists = true;
      e.existence_answer = std::move(a);
    }
  }

  if (e.parse && e.parse->usable) {
    // RFC 7489 §7.1 (RFC 9990 §4): a destination outside the policy domain's organisational domain
    // must publish <policy-domain>._report._dmarc.<destination> TXT "v=DMARC1...".
    std::string policyOrg = psl.organizationalDomain(e.record_domain);
    std::map<std::string, dns::DnsAnswer> asked;
    auto check = [&](const std::string& tag, const std::vector<ReportUri>& uris) {
      for (const ReportUri& u : uris) {
        if (!u.mailto || psl.organizationalDomain(u.domain) == policyOrg) continue;
        ReportAuthorisation a;
        a.tag = tag;
        a.uri = u.text;
        a.destination = u.domain;
        a.query_name = e.record_domain + "._report._dmarc." + u.domain;
        auto it = asked.find(a.query_name);
        if (it == asked.end())
          it = asked.emplace(a.query_name, resolver.query(a.query_name, dns::rr::TXT)).first;
        a.answer = it->second;
        if (a.answer.status == DnsStatus::NoError) {
          for (const auto& rec : a.answer.records)
            if (rec.type == dns::rr::TXT && startsWithDmarcVersion(rec.joinedText()))
              a.authorised = true;
        }
        e.authorisations.push_back(std::move(a));
      }
    };
    check("rua", e.parse->record.rua);
    check("ruf", e.parse->record.ruf);
    for (const auto* uris : {&e.parse->record.rua, &e.parse->record.ruf})
      for (const ReportUri& u : *uris) {
        if (!u.mailto) continue;
        auto same = [&](const ReportDestination& d) { return d.domain == u.domain; };
        auto it = std::find_if(e.destinations.begin(), e.destinations.end(), same);
        if (it == e.destinations.end()) {
          ReportDestination d;
          d.domain = u.domain;
          d.mx = resolver.query(u.domain, dns::rr::MX);
          if (d.mx.status == DnsStatus::NoData || d.mx.status == DnsStatus::NxDomain ||
              (d.mx.status == DnsStatus::NoError && d.mx.records.empty())) {
            d.a = resolver.query(u.domain, dns::rr::A);
            d.aaaa = resolver.query(u.domain, dns::rr::AAAA);
          }
          e.destinations.push_back(std::move(d));
          it = std::prev(e.destinations.end());
        }
        it->uris.push_back(u.text);
      }
  }
  return e;
}

// Spec: docs/checks/DMARC-01.md
CheckResult judgeDmarc01(const DmarcEvidence& e) {
  CheckResult r = start("DMARC-01", e);
  if (addLookupErrors(r, e, false)) return finish(std::move(r));
  // TXT records at _dmarc that look like a wrong version (v=DMARC2, v=dmarc1).
  for (const DmarcLookup* l : {&e.own, &e.org}) {
    if (l == &e.org && !e.own.records.empty()) continue;  // the org record was not consulted
    for (const auto& text : l->ignored) {
      for (Finding f : parseDmarcRecord(text).findings) {
        if (f.tag != "DMARC_VERSION_INVALID") continue;
        f.arg("name", l->name);
        r.add(std::move(f));
      }
    }
  }
  if (e.own.records.size() > 1) {
    addTo(r, "DMARC_MULTIPLE_RECORDS", Status::Fail)
        .arg("name", e.own.name)
        .arg("count", static_cast<std::int64_t>(e.own.records.size()));
    return finish(std::move(r));
  }
  if (e.parse) {
    std::string name = "_dmarc." + e.record_domain;
    addParseFindings(r, *e.parse, "DMARC-01", e.record_domain);
    if (!e.parse->usable) {
      addTo(r, "DMARC_RECORD_INVALID", Status::Fail)
          .arg("name", name)
          .arg("domain", e.record_domain);
    } else if (e.inherited) {
      addTo(r, "DMARC_INHERITED", Status::Warn)
          .arg("domain", e.domain)
          .arg("org_domain", e.org_domain);
    } else {
      addTo(r, "DMARC_RECORD_FOUND", Status::Pass).arg("name", name);
    }
    return finish(std::move(r));
  }
  addTo(r, "DMARC_NO_RECORD", Status::Fail).arg("domain", e.domain).arg("org_domain", e.org_domain);
  if (e.org.asked && e.org.records.size() > 1) {
    addTo(r, "DMARC_MULTIPLE_RECORDS", Status::Fail)
        .arg("name", e.org.name)
        .arg("count", static_cast<std::int64_t>(e.org.records.size()));
  }
  return finish(std::move(r));
}

// Spec: docs/checks/DMARC-02.md
CheckResult judgeDmarc02(const DmarcEvidence& e) {
  CheckResult r = start("DMARC-02", e);
  if (addLookupErrors(r, e, false)) return finish(std::move(r));
  if (!usable(e)) return noUsableRecord(std::move(r), e);
  const DmarcRecord& rec = e.parse->record;
  Applied a = statedPolicy(e);
  if (e.inherited) {
    addTo(r, "DMARC_POLICY_INHERITED", Status::Info)
        .arg("record_domain", e.record_domain)
        .arg("tag", a.tag)
        .arg("domain", e.domain);
    if (!e.domain_exists && e.existence_answer) {
      addTo(r, "DMARC_DOMAIN_EXISTENCE_UNKNOWN", Status::Info)
          .arg("domain", e.domain)
          .arg("status", std::string(dns::toString(e.existence_answer->status)));
    }
  }
  auto policyFinding = [&](std::string tag, Status s) -> Finding& {
    return addTo(r, std::move(tag), s)
        .arg("tag", a.tag)
        .arg("policy", std::string(toString(a.policy)))
        .arg("record_domain", e.record_domain);
  };
  switch (a.policy) {
    case Policy::Reject:
      policyFinding("DMARC_POLICY_REJECT", Status::Pass);
      break;
    case Policy::Quarantine:
      policyFinding("DMARC_POLICY_QUARANTINE", Status::Warn);
      break;
    case Policy::None:
      policyFinding("DMARC_POLICY_NONE", Status::Fail);
      break;
  }
  if (a.policy != Policy::None) {
    if (rec.testing) {
      // RFC 9989 §4.7 t=y: reject is applied as quarantine, quarantine as none. The rubric
      // rates quarantine+t=y like quarantine (warn): RFC 7489 receivers ignore t and quarantine.
      Policy applied = a.policy == Policy::Reject ? Policy::Quarantine : Policy::None;
      addTo(r, "DMARC_TESTING_MODE", Status::Warn)
          .arg("policy", std::string(toString(a.policy)))
          .arg("applied", std::string(toString(applied)))
          .arg("record_domain", e.record_domain);
    }
    if (rec.pct && *rec.pct < 100) {
      addTo(r, "DMARC_PCT_PARTIAL", Status::Warn)
          .arg("pct", std::int64_t{*rec.pct})
          .arg("record_domain", e.record_domain);
    }
  }
  return finish(std::move(r));
}

// Spec: docs/checks/DMARC-03.md
CheckResult judgeDmarc03(const DmarcEvidence& e) {
  CheckResult r = start("DMARC-03", e);
  if (addLookupErrors(r, e, true)) return finish(std::move(r));
  if (!usable(e)) return noUsableRecord(std::move(r), e);
  const DmarcParse* governing = &*e.parse;
  std::string recordDomain = e.record_domain;
  if (!e.inherited && e.domain != e.org_domain) {
    // RFC 9989 §4.7 (sp): sp is ignored in records below the organisational domain, because policy
    // discovery for a subdomain goes to the organisational domain (RFC 7489 §6.6.3 step 4).
    const DmarcRecord& own = e.parse->record;
    if (own.hasTag("sp") || own.hasTag("np")) {
      addTo(r, "DMARC_SP_IGNORED_ON_SUBDOMAIN", Status::Info)
          .arg("domain", e.domain)
          .arg("org_domain", e.org_domain);
    }
    if (!e.org_parse || !e.org_parse->usable) {
      addTo(r, "DMARC_SUBDOMAIN_ORG_NO_RECORD", Status::Warn)
          .arg("domain", e.domain)
          .arg("org_domain", e.org_domain);
      return finish(std::move(r));
    }
    governing = &*e.org_parse;
    recordDomain = e.org_domain;
  }
  const DmarcRecord& rec = governing->record;
  Policy p = rec.policy(), sp = rec.subdomainPolicy(), np = rec.nonExistentPolicy();
  auto finding = [&](std::string tag, Status s) -> Finding& {
    return addTo(r, std::move(tag), s)
        .arg("p", std::string(toString(p)))
        .arg("sp", std::string(toString(sp)))
        .arg("np", std::string(toString(np)))
        .arg("record_domain", recordDomain);
  };
  bool explicitSp = rec.sp.has_value() && !rec.acts_as_none;
  bool explicitNp = rec.np.has_value() && !rec.acts_as_none;
  if (explicitSp && sp == Policy::None)
    finding("DMARC_SP_NONE", Status::Fail);
  else if (explicitSp && sp < p)
    finding("DMARC_SP_WEAKER", Status::Warn);
  if (explicitNp && np == Policy::None) finding("DMARC_NP_NONE", Status::Fail);
  // The rubric names only sp=quarantine under p=reject; a weaker np is the same gap for
  // non-existent names and is rated the same.
  else if (explicitNp && np < p)
    finding("DMARC_NP_WEAKER", Status::Warn);
  if (r.status < Status::Warn) finding("DMARC_SUBDOMAINS_COVERED", Status::Pass);
  return finish(std::move(r));
}

// Spec: docs/checks/DMARC-04.md
CheckResult judgeDmarc04(const DmarcEvidence& e, const DomainProfile& profile) {
  CheckResult r = start("DMARC-04", e);
  if (addLookupErrors(r, e, false)) return finish(std::move(r));
  if (!usable(e)) return noUsableRecord(std::move(r), e);
  const DmarcRecord& rec = e.parse->record;
  addParseFindings(r, *e.parse, "DMARC-04", e.record_domain);
  auto mailtos = [](const std::vector<ReportUri>& uris) {
    std::vector<const ReportUri*> out;
    for (const auto& u : uris)
      if (u.mailto) out.push_back(&u);
    return out;
  };
  auto rua = mailtos(rec.rua), ruf = mailtos(rec.ruf);
  if (!rua.empty()) {
    addTo(r, "DMARC_RUA_PRESENT", Status::Pass)
        .arg("uri", rua.front()->text)
        .arg("count", static_cast<std::int64_t>(rua.size()));
  } else if (!ruf.empty()) {
    addTo(r, "DMARC_RUF_ONLY", Status::Warn).arg("record_domain", e.record_domain);
  } else {
    // Guidance §3.2: a domain that sends no mail (NS) only gets a warning for missing reports.
    addTo(r, "DMARC_REPORTING_MISSING", profile.sends_mail ? Status::Fail : Status::Warn)
        .arg("record_domain", e.record_domain);
  }
  for (const auto& a : e.authorisations) {
    if (a.error()) {
      // Could not tell: an error for this destination, never "unauthorised".
      addTo(r, "DMARC_EXTERNAL_AUTH_LOOKUP_ERROR", Status::Error)
          .arg("uri", a.uri)
          .arg("destination", a.destination)
          .arg("name", a.query_name)
          .arg("status", std::string(dns::toString(a.answer.status)));
    } else if (a.authorised) {
      addTo(r, "DMARC_EXTERNAL_AUTHORISED", Status::Info)
          .arg("tag", a.tag)
          .arg("destination", a.destination)
          .arg("record_domain", e.record_domain)
          .arg("name", a.query_name);
    } else {
      addTo(r,
            a.tag == "rua" ? "DMARC_EXTERNAL_RUA_UNAUTHORISED" : "DMARC_EXTERNAL_RUF_UNAUTHORISED",
            Status::Warn)
          .arg("uri", a.uri)
          .arg("destination", a.destination)
          .arg("record_domain", e.record_domain)
          .arg("name", a.query_name);
    }
  }
  for (const auto& d : e.destinations) {
    const Receives receives = receivesMail(d);
    if (receives == Receives::Unknown) {
      const dns::DnsAnswer& failed =
          d.mx.isError() ? d.mx : (d.a && d.a->isError() ? *d.a : *d.aaaa);
      addTo(r, "DMARC_DESTINATION_LOOKUP_ERROR", Status::Error)
          .arg("destination", d.domain)
          .arg("name", failed.qname)
          .arg("type", dns::typeName(failed.qtype))
          .arg("status", std::string(dns::toString(failed.status)));
    } else if (receives == Receives::No) {
      addTo(r, "DMARC_DESTINATION_CANNOT_RECEIVE", Status::Warn)
          .arg("destination", d.domain)
          .arg("uri", joined(d.uris))
          .arg("reason", d.mx.hasRecords() ? "null MX" : d.mx.status == DnsStatus::NxDomain
                                                              ? "NXDOMAIN"
                                                              : "no MX and no address");
    }
  }
  return finish(std::move(r));
}

std::optional<Policy> appliedPolicy(const DmarcEvidence& e) {
  // Only the lookups DMARC-02 needs: a failed org lookup next to an own record does not matter.
  for (const DmarcLookup* l : neededLookups(e, false))
    if (l->error()) return std::nullopt;
  if (!usable(e)) return std::nullopt;
  Policy p = statedPolicy(e).policy;
  // RFC 9989 §4.7: t=y asks receivers to apply the next lower policy.
  if (e.parse->record.testing && !e.parse->record.acts_as_none && p != Policy::None)
    p = p == Policy::Reject ? Policy::Quarantine : Policy::None;
  return p;
}

bool dmarcEnforcing(const DmarcEvidence& e) {
  auto p = appliedPolicy(e);
  return p && *p != Policy::None;
}

bool dmarcRejects(const DmarcEvidence& e) {
  auto p = appliedPolicy(e);
  if (!p || *p != Policy::Reject) return false;
  const auto& pct = e.parse->record.pct;
  return !pct || *pct == 100;
}

std::span<const TagSpec> dmarcTagSpecs() {
  return kTagSpecs;
}

Json toJson(const DmarcEvidence& e) {
  Json j = Json::object();
  j.set("domain", e.domain);
  j.set("org_domain", e.org_domain);
  Json queries = Json::array();
  if (e.own.asked) queries.push(lookupJson(e.own));
  if (e.org.asked) queries.push(lookupJson(e.org));
  if (e.existence_answer) queries.push(dns::toJson(*e.existence_answer));
  j.set("queries", queries);
  if (e.parse) {
    Json rec = Json::object();
    rec.set("domain", e.record_domain);
    rec.set("text", e.record_text);
    rec.set("inherited", e.inherited);
    rec.set("parse", parseJson(*e.parse));
    j.set("record", rec);
  }
  if (e.domain_exists) j.set("domain_exists", *e.domain_exists);
  if (!e.authorisations.empty()) {
    Json auths = Json::array();
    for (const auto& a : e.authorisations) {
      Json x = Json::object();
      x.set("tag", a.tag);
      x.set("uri", a.uri);
      x.set("destination", a.destination);
      x.set("authorised", a.authorised);
      x.set("answer", dns::toJson(a.answer));
      auths.push(x);
    }
    j.set("authorisations", auths);
  }
  if (!e.destinations.empty()) {
    Json dests = Json::array();
    for (const auto& d : e.destinations) {
      Json x = Json::object({{"domain", d.domain}, {"mx", dns::toJson(d.mx)}});
      if (d.a) x.set("a", dns::toJson(*d.a));
      if (d.aaaa) x.set("aaaa", dns::toJson(*d.aaaa));
      dests.push(x);
    }
    j.set("destinations", dests);
  }
  return j;
}

}  // namespace mh::dmarc
