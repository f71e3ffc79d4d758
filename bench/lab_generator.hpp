// Generates the synthetic national lab: N agency domains with a realistic mix, as knotd zone files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mh::bench {

// What a generated domain is meant to be (its name starts with the kind: "good-00042.lab.test").
enum class Kind { Good, Partial, Broken, NoMail, Parked, Gone, ServFail, Dead };
inline constexpr int kKindCount = 8;
std::string_view toString(Kind k);

struct LabDomain {
  std::string name;
  Kind kind = Kind::Good;
  std::string variant;  // e.g. "softfail+no-dkim", "dangling-mx"
};

struct LabZoneFile {
  std::string zone;  // "good-00042.lab.test", "." for the root
  std::filesystem::path file;
  bool broken = false;  // knotd fails to load it and answers SERVFAIL
};

struct NationalLab {
  std::vector<LabDomain> domains;  // in audit order (shuffled kinds)
  std::vector<LabZoneFile> zones;  // every zone knotd serves
};

// The label prefix of domains whose queries the forwarder drops (a nameserver that never answers).
inline constexpr std::string_view kDeadPrefix = "dead-";

// Writes every zone file into `dir` and returns the lab. Deterministic for a given (n, seed).
// The mix (of N): good 18 %, partial 42 %, broken 14 %, no mail 10 %, parked 5 %, gone
// (NXDOMAIN) 8 %, SERVFAIL 2 %, dead (queries time out) 1 %; 5 shared mail providers host the MX
// and SPF of about 70 % of the mail domains.
NationalLab generateLab(std::size_t n, std::uint32_t seed, const std::filesystem::path& dir);

}  // namespace mh::bench
