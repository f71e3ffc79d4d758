// Which IP addresses the scanner may connect to (issue 3 item 8): special-purpose ranges from
// the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and updates).
#include "checks/tls/address_safety.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <string>

namespace mh::tls {

namespace {

using V6 = std::array<std::uint8_t, 16>;

struct V4Range {
  std::uint32_t prefix;
  int length;
  AddressClass cls;
};

constexpr std::uint32_t v4(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

// Most specific first where ranges nest (255.255.255.255 inside 240/4).
constexpr V4Range kV4Ranges[] = {
    {v4(255, 255, 255, 255), 32, AddressClass::Broadcast},
    {v4(0, 0, 0, 0), 8, AddressClass::Unspecified},  // RFC 791 "this network"
    {v4(10, 0, 0, 0), 8, AddressClass::Private},
    {v4(100, 64, 0, 0), 10, AddressClass::SharedCgnat},
    {v4(127, 0, 0, 0), 8, AddressClass::Loopback},
    {v4(169, 254, 0, 0), 16, AddressClass::LinkLocal},
    {v4(172, 16, 0, 0), 12, AddressClass::Private},
    {v4(192, 0, 0, 0), 24, AddressClass::Reserved},  // IETF protocol assignments (RFC 6890)
    {v4(192, 0, 2, 0), 24, AddressClass::Documentation},
    {v4(192, 88, 99, 0), 24, AddressClass::Reserved},  // 6to4 relay anycast (RFC 7526)
    {v4(192, 168, 0, 0), 16, AddressClass::Private},
    {v4(198, 18, 0, 0), 15, AddressClass::Benchmarking},
    {v4(198, 51, 100, 0), 24, AddressClass::Documentation},
    {v4(203, 0, 113, 0), 24, AddressClass::Documentation},
    {v4(224, 0, 0, 0), 4, AddressClass::Multicast},
    {v4(240, 0, 0, 0), 4, AddressClass::Reserved},
};

bool inV4(std::uint32_t a, std::uint32_t prefix, int length) {
  const std::uint32_t mask = length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
  return (a & mask) == (prefix & mask);
}

AddressClass classifyV4(std::uint32_t a) {
  for (const auto& r : kV4Ranges)
    if (inV4(a, r.prefix, r.length)) return r.cls;
  return AddressClass::Public;
}

// Does `a` start with the first `bits` bits of `prefix`?
bool inV6(const V6& a, std::initializer_list<std::uint8_t> prefix, int bits) {
  int i = 0;
  for (const std::uint8_t p : prefix) {
    if (bits <= 0) break;
    const int take = bits >= 8 ? 8 : bits;
    const std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((a[i] & mask) != (p & mask)) return false;
    bits -= take;
    ++i;
  }
  return true;
}

bool allZero(const V6& a, int from, int to) {
  for (int i = from; i < to; ++i)
    if (a[i] != 0) return false;
  return true;
}

std::uint32_t embeddedV4(const V6& a, int at) {
  return v4(a[at], a[at + 1], a[at + 2], a[at + 3]);
}

// An embedded IPv4 address that is public leaves the carrier's own class in charge.
AddressClass embeddedOr(std::uint32_t inner, AddressClass carrier) {
  const AddressClass c = classifyV4(inner);
  return c == AddressClass::Public ? carrier : c;
}

AddressClass classifyV6(const V6& a) {
  if (allZero(a, 0, 15) && a[15] == 0) return AddressClass::Unspecified;
  if (allZero(a, 0, 15) && a[15] == 1) return AddressClass::Loopback;
  // ::ffff:0:0/96 IPv4-mapped (RFC 4291 §2.5.5.2): the IPv4 address is what gets reached.
  if (allZero(a, 0, 10) && a[10] == 0xff && a[11] == 0xff) return classifyV4(embeddedV4(a, 12));
  if (inV6(a, {0x00, 0x64, 0xff, 0x9b}, 32) && allZero(a, 4, 12))  // 64:ff9b::/96 (RFC 6052)
    return embeddedOr(embeddedV4(a, 12), AddressClass::Public);
  if (inV6(a, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48)) return AddressClass::Private;  // RFC 8215
  // ::/96 IPv4-compatible, deprecated (RFC 4291 §2.5.5.1), and the rest of ::/8.
  if (a[0] == 0) return AddressClass::Reserved;
  if (inV6(a, {0xff}, 8)) return AddressClass::Multicast;
  if (inV6(a, {0xfe, 0x80}, 10)) return AddressClass::LinkLocal;
  if (inV6(a, {0xfe, 0xc0}, 10)) return AddressClass::UniqueLocal;  // site-local (RFC 3879)
  if (inV6(a, {0xfc}, 7)) return AddressClass::UniqueLocal;
  if (inV6(a, {0x20, 0x01, 0x0d, 0xb8}, 32)) return AddressClass::Documentation;
  if (inV6(a, {0x3f, 0xff, 0x00}, 20)) return AddressClass::Documentation;  // RFC 9637
  if (inV6(a, {0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48)) return AddressClass::Benchmarking;
  if (inV6(a, {0x20, 0x01, 0x00, 0x10}, 28)) return AddressClass::Reserved;  // ORCHID
  if (inV6(a, {0x20, 0x01, 0x00, 0x20}, 28)) return AddressClass::Reserved;  // ORCHIDv2
  if (inV6(a, {0x20, 0x01, 0x00, 0x00}, 32)) return AddressClass::Reserved;  // Teredo (RFC 4380)
  if (inV6(a, {0x20, 0x02}, 16))  // 6to4 (RFC 3056): 2002:V4ADDR::/48
    return embeddedOr(embeddedV4(a, 2), AddressClass::Public);
  if (!inV6(a, {0x20}, 3)) return AddressClass::Reserved;  // only 2000::/3 is global unicast
  return AddressClass::Public;
}

}  // namespace

std::string_view toString(AddressClass c) {
  switch (c) {
    case AddressClass::Public:
      return "public";
    case AddressClass::Invalid:
      return "invalid";
    case AddressClass::Unspecified:
      return "unspecified";
    case AddressClass::Loopback:
      return "loopback";
    case AddressClass::Private:
      return "private";
    case AddressClass::SharedCgnat:
      return "shared-cgnat";
    case AddressClass::LinkLocal:
      return "link-local";
    case AddressClass::UniqueLocal:
      return "unique-local";
    case AddressClass::Multicast:
      return "multicast";
    case AddressClass::Broadcast:
      return "broadcast";
    case AddressClass::Documentation:
      return "documentation";
    case AddressClass::Benchmarking:
      return "benchmarking";
    case AddressClass::Reserved:
      return "reserved";
  }
  return "unknown";
}

AddressClass classifyAddress(std::string_view address) {
  const std::string text(address);
  in_addr a4{};
  if (::inet_pton(AF_INET, text.c_str(), &a4) == 1) return classifyV4(ntohl(a4.s_addr));
  V6 a6{};
  if (::inet_pton(AF_INET6, text.c_str(), a6.data()) == 1) return classifyV6(a6);
  return AddressClass::Invalid;
}

bool isProbeAllowed(AddressClass c, bool allowPrivateTargets) {
  switch (c) {
    case AddressClass::Public:
      return true;
    case AddressClass::Invalid:
    case AddressClass::Unspecified:
    case AddressClass::Multicast:
    case AddressClass::Broadcast:
      return false;
    default:
      return allowPrivateTargets;
  }
}

bool isProbeAllowed(std::string_view address, bool allowPrivateTargets) {
  return isProbeAllowed(classifyAddress(address), allowPrivateTargets);
}

}  // namespace mh::tls
