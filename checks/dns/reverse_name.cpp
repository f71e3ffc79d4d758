// Reverse-DNS name construction with inet_pton.
#include "checks/dns/reverse_name.hpp"

#include <arpa/inet.h>

#include <cstdio>

namespace mh::dns {

std::optional<std::string> reverseName(std::string_view address) {
  std::string text(address);
  unsigned char buf[16];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) {
    char out[32];
    std::snprintf(out, sizeof out, "%u.%u.%u.%u.in-addr.arpa", buf[3], buf[2], buf[1], buf[0]);
    return std::string(out);
  }
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 15; i >= 0; --i) {
      out += kHex[buf[i] & 0xF];
      out += '.';
      out += kHex[buf[i] >> 4];
      out += '.';
    }
    return out + "ip6.arpa";
  }
  return std::nullopt;
}

bool isIpLiteral(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  return reverseName(text).has_value();
}

}  // namespace mh::dns
