// CIDR parsing, the X-Forwarded-For walk and address networks for the HTTP front.
#include "service/http/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "checks/core/text.hpp"

namespace mh::service::http {

namespace {

using Bytes = std::array<unsigned char, 16>;

// The 16 bytes of an IPv6 address, or of the IPv4-mapped form of an IPv4 one.
std::optional<Bytes> parseAddress(std::string_view text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  Bytes bytes{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    bytes[10] = bytes[11] = 0xff;
    std::memcpy(&bytes[12], &v4, 4);
    return bytes;
  }
  if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) return bytes;
  return std::nullopt;
}

bool isMappedV4(const Bytes& b) {
  for (int i = 0; i < 10; ++i)
    if (b[i] != 0) return false;
  return b[10] == 0xff && b[11] == 0xff;
}

std::string format(const Bytes& b) {
  char text[INET6_ADDRSTRLEN] = {};
  if (isMappedV4(b)) {
    inet_ntop(AF_INET, &b[12], text, sizeof text);
  } else {
    inet_ntop(AF_INET6, b.data(), text, sizeof text);
  }
  return text;
}

Bytes masked(Bytes b, int bits) {
  for (int i = 0; i < 16; ++i) {
    const int keep = std::clamp(bits - 8 * i, 0, 8);
    b[i] &= static_cast<unsigned char>(keep == 0 ? 0 : 0xff << (8 - keep));
  }
  return b;
}

std::string_view trimmed(std::string_view s) { return ascii::trimWsp(s); }

}  // namespace

std::optional<Cidr> parseCidr(std::string_view text) {
  text = trimmed(text);
  const auto slash = text.find('/');
  auto address = parseAddress(text.substr(0, slash));
  if (!address) return std::nullopt;
  const int width = isMappedV4(*address) ? 32 : 128;
  int bits = width;
  if (slash != std::string_view::npos) {
    const auto prefix = text.substr(slash + 1);
    auto [p, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), bits);
    if (ec != std::errc() || p != prefix.data() + prefix.size() || bits < 0 || bits > width)
      return std::nullopt;
  }
  if (width == 32) bits += 96;
  return Cidr{masked(*address, bits), bits};
}

std::optional<std::string> canonicalAddress(std::string_view text) {
  auto address = parseAddress(trimmed(text));
  if (!address) return std::nullopt;
  return format(*address);
}

bool TrustedProxies::contains(std::string_view address) const {
  auto bytes = parseAddress(address);
  if (!bytes) return false;
  for (const auto& n : networks_)
    if (masked(*bytes, n.bits) == n.bytes) return true;
  return false;
}

std::string TrustedProxies::client(const std::string& peer, std::string_view forwarded_for) const {
  std::string client = canonicalAddress(peer).value_or(peer);
  if (networks_.empty() || !contains(peer)) return client;
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const auto entry =
        comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    auto address = canonicalAddress(entry);
    if (!address) break;
    client = *address;
    if (!contains(client)) break;
  }
  return client;
}

std::string addressNetwork(std::string_view address) {
  auto bytes = parseAddress(trimmed(address));
  if (!bytes) return std::string(address);
  if (isMappedV4(*bytes)) return format(masked(*bytes, 96 + 24)) + "/24";
  return format(masked(*bytes, 56)) + "/56";
}

}  // namespace mh::service::http
