// The JSON bodies of POST requests, read into plain values (fuzzed: tests/fuzz/service_json_body_fuzz).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mh::service::http {

// The "domain" string member of a self-check body ({"domain": "..."}), as sent (not yet
// validated); nullopt when the body is not a JSON object with a string member "domain".
std::optional<std::string> selfCheckDomainField(std::string_view body);

}  // namespace mh::service::http
