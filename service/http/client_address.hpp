// Who a request comes from: trusted reverse proxies (CIDRs), X-Forwarded-For from them only, and
// the /24 or /56 network an address belongs to (rate limits under pressure).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mh::service::http {

// An IPv4 or IPv6 network; IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d/96+n), so that a
// dual-stack socket's "::ffff:192.0.2.1" and "192.0.2.1" are the same client.
struct Cidr {
  std::array<unsigned char, 16> bytes{};
  int bits = 128;
};

// "192.0.2.0/24", "2001:db8::/32", or one address ("192.0.2.7", "::1"); nullopt when malformed.
std::optional<Cidr> parseCidr(std::string_view text);

// The canonical text of an address ("::ffff:192.0.2.1" -> "192.0.2.1"); nullopt when malformed.
std::optional<std::string> canonicalAddress(std::string_view text);

class TrustedProxies {
 public:
  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<Cidr> networks) : networks_(std::move(networks)) {}

  bool contains(std::string_view address) const;
  bool empty() const { return networks_.empty(); }

  // The client of a request whose TCP peer is `peer`: the peer itself unless it is a trusted
  // proxy; then the right-most X-Forwarded-For entry that is not a trusted proxy (each proxy
  // appends the address it saw, so only the entries right of the first untrusted one can be
  // believed). A malformed entry stops the walk at the last address believed.
  std::string client(const std::string& peer, std::string_view forwarded_for) const;

 private:
  std::vector<Cidr> networks_;
};

// The network an address is aggregated into when the rate limiter is under pressure: the /24
// of an IPv4 address ("192.0.2.0/24"), the /56 of an IPv6 one ("2001:db8:0:100::/56"); the text
// itself when it is not an address.
std::string addressNetwork(std::string_view address);

}  // namespace mh::service::http
