// The rubric table itself: weights add up to 100 for a sending and receiving domain.
#include "checks/core/rubric.hpp"

#include <array>

namespace mh {

namespace {

using enum Severity;
using enum Applies;

constexpr std::array kRubric = {
    RubricEntry{"MX-01", "MX records are usable", "Bản ghi MX dùng được", 3, Medium, All},
    RubricEntry{"SPF-01", "SPF record exists and parses", "Có bản ghi SPF hợp lệ", 6, Critical, All},
    RubricEntry{"SPF-02", "SPF final policy", "Chính sách cuối của SPF", 5, High, All},
    RubricEntry{"SPF-03", "SPF processing limits", "Giới hạn xử lý SPF", 3, Medium, All},
    RubricEntry{"DMARC-01", "DMARC record exists and parses", "Có bản ghi DMARC hợp lệ", 8,
                Critical, All},
    RubricEntry{"DMARC-02", "DMARC policy strength", "Mức chính sách DMARC", 12, Critical, All},
    RubricEntry{"DMARC-03", "DMARC subdomain coverage", "DMARC bao phủ tên miền con", 2, Medium,
                All},
    RubricEntry{"DMARC-04", "DMARC reporting", "Báo cáo DMARC", 5, High, All},
    RubricEntry{"DKIM-01", "DKIM key published", "Có khóa DKIM", 6, High, Sending},
    RubricEntry{"DKIM-02", "DKIM key quality", "Chất lượng khóa DKIM", 3, Medium, Sending},
    RubricEntry{"TLS-01", "STARTTLS on every MX", "STARTTLS trên mọi máy chủ MX", 12, Critical,
                Receiving},
    RubricEntry{"TLS-02", "TLS protocol versions", "Phiên bản giao thức TLS", 6, Critical,
                Receiving},
    RubricEntry{"TLS-03", "Cipher suites and key exchange", "Bộ mã hóa và trao đổi khóa", 5, High,
                Receiving},
    RubricEntry{"TLS-04", "MX certificate", "Chứng thư số của MX", 3, Medium, Receiving},
    RubricEntry{"ACC-01", "User access endpoints", "Điểm truy cập của người dùng", 4, Medium, All},
    RubricEntry{"MTASTS-01", "MTA-STS", "MTA-STS", 5, Medium, Receiving},
    RubricEntry{"TLSRPT-01", "TLS-RPT", "TLS-RPT", 3, Low, Receiving},
    RubricEntry{"DNSSEC-01", "Domain zone signed", "Vùng tên miền được ký DNSSEC", 3, Medium, All},
    RubricEntry{"DANE-01", "DANE for MX", "DANE cho MX", 4, Low, Receiving},
    RubricEntry{"HYG-01", "Reverse DNS of MX addresses", "DNS ngược của địa chỉ MX", 2, Low,
                Receiving},
};

}  // namespace

std::span<const RubricEntry> rubric() { return kRubric; }

const RubricEntry* findRubricEntry(std::string_view id) {
  for (const auto& e : kRubric)
    if (e.id == id) return &e;
  return nullptr;
}

std::string_view toString(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
    case Severity::Critical: return "critical";
  }
  return "info";
}

}  // namespace mh
