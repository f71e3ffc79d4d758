// Tests for checks/core/rubric.cpp: the weights are those of guidance.md §3.2, the rubric changes
// only with a new version, and the README's rubric section is the rubric's own rendering.
#include "checks/core/rubric.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>

namespace mh {
namespace {

TEST(Rubric, WeightsOfASendingAndReceivingDomainAddUpTo100) {
  int total = 0;
  for (const auto& e : rubric()) total += e.weight;
  EXPECT_EQ(total, 100);
}

TEST(Rubric, IdsAreUniqueAndFindable) {
  for (const auto& e : rubric()) EXPECT_EQ(findRubricEntry(e.id), &e);
  EXPECT_EQ(findRubricEntry("NOPE-01"), nullptr);
  EXPECT_EQ(findRubricEntry("DKIM-01")->applies, Applies::Sending);
}

// FNV-1a, 64 bits: a fingerprint that is the same on every machine and compiler.
std::string fingerprint(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  std::ostringstream out;
  out << std::hex << h;
  return out.str();
}

// One line per rubric version since fingerprints were kept. A change to any weight, severity,
// tag rule, cap or grade bound changes the fingerprint: give it a new kRubricVersion (stored
// results keep the version they were scored under) and add the line the failure prints.
const std::map<std::string, std::string, std::less<>> kFingerprints = {
    {"2026.12-1", "f0e0416c92fca6f0"},
};

TEST(Rubric, ItsDataChangesOnlyWithANewVersion) {
  const std::string actual = fingerprint(rubricJson().dump());
  const auto it = kFingerprints.find(kRubricVersion);
  ASSERT_NE(it, kFingerprints.end())
      << "new rubric version: add {\"" << kRubricVersion << "\", \"" << actual << "\"}";
  EXPECT_EQ(it->second, actual) << "the rubric changed under version " << kRubricVersion
                                << ": bump kRubricVersion (checks/core/rubric.hpp)";
}

TEST(Rubric, TagRulesAreCriticalAndFindFindingsByTagAndArgument) {
  Finding rc4 = makeFinding("TLS_CIPHER_INSUFFICIENT", Status::Fail);
  rc4.arg("kind", "RC4");
  Finding nullCipher = makeFinding("TLS_CIPHER_INSUFFICIENT", Status::Fail);
  nullCipher.arg("kind", "NULL");
  ASSERT_NE(findTagRule(rc4), nullptr);
  EXPECT_EQ(findTagRule(rc4)->severity, Severity::Critical);
  EXPECT_EQ(findTagRule(nullCipher), nullptr);
  EXPECT_EQ(findTagRule(makeFinding("SPF_TOO_MANY_LOOKUPS", Status::Fail))->cap, Cap::Critical);
  EXPECT_EQ(findTagRule(makeFinding("DNSSEC_BOGUS", Status::Fail))->cap, Cap::BreaksDelivery);
  EXPECT_EQ(findTagRule(makeFinding("SPF_LOOKUPS_NEAR_LIMIT", Status::Warn)), nullptr);
}

TEST(Rubric, TheReadmeRubricSectionIsTheRubricsOwnRendering) {
  std::ifstream in(std::string(MH_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "README.md";
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "<!-- rubric:begin (mailhygiene rubric) -->\n";
  const std::string end = "<!-- rubric:end -->";
  const auto from = readme.find(begin);
  const auto to = readme.find(end);
  ASSERT_NE(from, std::string::npos) << "README.md has no rubric section";
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(readme.substr(from + begin.size(), to - from - begin.size()), rubricMarkdown())
      << "regenerate the README's rubric section with `mailhygiene rubric`";
}

}  // namespace
}  // namespace mh
