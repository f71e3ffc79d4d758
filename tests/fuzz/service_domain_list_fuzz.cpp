// Fuzz target: the domains.csv reader (RFC 4180 CSV from an agency's file) must not crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "service/domain_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto list = mh::service::parseDomainList(text);
  // Every entry must be findable by its own (normalised) name.
  for (const auto& e : list.entries)
    if (list.find(e.domain) != &e) __builtin_trap();
  (void)list.find(text.substr(0, 64));
  // The registry's warning about groups of one (loadDomainList) reads every entry's group.
  for (const auto& group : list.singleMemberGroups())
    if (group.empty()) __builtin_trap();
  return 0;
}
