// Which IP addresses the scanner may connect to (issue 3 item 8): special-purpose ranges from
// the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and updates).
#pragma once

#include <string_view>

namespace mh::tls {

enum class AddressClass {
  Public,         // globally routable unicast
  Invalid,        // not an IPv4/IPv6 literal
  Unspecified,    // 0.0.0.0, :: (and the rest of 0.0.0.0/8, "this network", RFC 791)
  Loopback,       // 127.0.0.0/8, ::1
  Private,        // RFC 1918: 10/8, 172.16/12, 192.168/16
  SharedCgnat,    // 100.64.0.0/10 (RFC 6598)
  LinkLocal,      // 169.254.0.0/16 (RFC 3927), fe80::/10
  UniqueLocal,    // fc00::/7 (RFC 4193), and deprecated site-local fec0::/10
  Multicast,      // 224.0.0.0/4, ff00::/8
  Broadcast,      // 255.255.255.255
  Documentation,  // 192.0.2/24, 198.51.100/24, 203.0.113/24 (RFC 5737), 2001:db8::/32, 3fff::/20
  Benchmarking,   // 198.18.0.0/15 (RFC 2544), 2001:2::/48 (RFC 5180)
  Reserved,       // 240.0.0.0/4, 192.0.0.0/24, IPv6 outside 2000::/3, Teredo, ORCHID, discard
};

std::string_view toString(AddressClass c);

// Classifies an address literal (no brackets, no port; an IPv6 zone "%eth0" makes it Invalid).
// IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96, RFC 6052) and 6to4 (2002::/16, RFC 3056)
// addresses carry an IPv4 address: a non-public embedded address gives its own class (a DNS answer
// 64:ff9b::a00:1 reaches 10.0.0.1 through a NAT64 gateway). 64:ff9b:1::/48 (RFC 8215, local
// NAT64) is Private.
AddressClass classifyAddress(std::string_view address);

// Public addresses are always allowed. With allowPrivateTargets (the lab's
// --allow-private-targets) every unicast class is allowed too; unspecified, multicast, broadcast
// and invalid addresses never are: no TCP connection to them makes sense.
bool isProbeAllowed(AddressClass c, bool allowPrivateTargets);
bool isProbeAllowed(std::string_view address, bool allowPrivateTargets);

}  // namespace mh::tls
