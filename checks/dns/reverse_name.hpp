// Reverse-DNS names (in-addr.arpa / ip6.arpa) and IP-literal detection for MX and PTR checks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mh::dns {

// "192.0.2.10" -> "10.2.0.192.in-addr.arpa"; "2001:db8::1" -> nibble form under ip6.arpa
// (RFC 3596 §2.5). nullopt when the text is not an IPv4 or IPv6 address.
std::optional<std::string> reverseName(std::string_view address);

// True when the text (with an optional trailing dot, or in [brackets]) is an IPv4 or IPv6 address
// rather than a host name: an MX target written as an address (RFC 7505 §3 and RFC 5321 §5.1
// require a name).
bool isIpLiteral(std::string_view text);

}  // namespace mh::dns
