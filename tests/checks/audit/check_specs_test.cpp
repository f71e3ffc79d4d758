// The check specifications (docs/checks/<ID>.md) agree with the rubric, the tag catalogues, the
// judges that cite them and the tests they list.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "checks/audit/domain_audit.hpp"
#include "checks/core/rubric.hpp"

namespace mh::audit {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = MH_SOURCE_DIR;

std::string readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path specPath(std::string_view id) {
  return kSource / "docs" / "checks" / (std::string(id) + ".md");
}

// The text of a spec's section: from "## <title>" to the next "## " heading.
std::string section(const std::string& spec, const std::string& title) {
  const std::string heading = "\n## " + title + "\n";
  const auto from = spec.find(heading);
  if (from == std::string::npos) return {};
  const auto to = spec.find("\n## ", from + heading.size());
  return spec.substr(from + heading.size(),
                     to == std::string::npos ? std::string::npos : to - from - heading.size());
}

// The Findings table row of `tag` ("| `TAG` | status | meaning |"), or "".
std::string findingRow(const std::string& spec, std::string_view tag) {
  const std::string start = "| `" + std::string(tag) + "` |";
  const auto from = spec.find(start);
  if (from == std::string::npos) return {};
  return spec.substr(from, spec.find('\n', from) - from);
}

// Every source file under `dir` with one of the extensions, path and text.
std::map<fs::path, std::string> sources(const fs::path& dir, std::set<std::string> extensions) {
  std::map<fs::path, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && extensions.contains(entry.path().extension().string()))
      out.emplace(entry.path(), readText(entry.path()));
  return out;
}

const std::map<fs::path, std::string>& testSources() {
  static const auto files = sources(kSource / "tests", {".cpp", ".hpp"});
  return files;
}

// "Suite.Name" of every TEST, TEST_F and TEST_P under tests/.
const std::set<std::string>& declaredTests() {
  static const std::set<std::string> tests = [] {
    std::set<std::string> out;
    const std::regex declaration(R"(\bTEST(?:_F|_P)?\(\s*(\w+)\s*,\s*(\w+)\s*\))");
    for (const auto& [path, text] : testSources())
      for (std::sregex_iterator it(text.begin(), text.end(), declaration), end; it != end; ++it)
        out.insert((*it)[1].str() + "." + (*it)[2].str());
    return out;
  }();
  return tests;
}

TEST(CheckSpecs, EveryRubricCheckHasASpecNamedByItsId) {
  for (const auto& entry : rubric()) {
    const std::string spec = readText(specPath(entry.id));
    ASSERT_FALSE(spec.empty()) << "no spec " << specPath(entry.id);
    EXPECT_EQ(spec.rfind("# " + std::string(entry.id) + " ", 0), 0u)
        << entry.id << ": the spec starts with \"# " << entry.id << " — <title>\"";
    std::vector<std::string> sections = {"Findings", "Tests"};
    if (entry.runs) sections = {"What it asks", "Verdict", "Findings", "Examples", "Tests"};
    for (const auto& title : sections)
      EXPECT_FALSE(section(spec, title).empty()) << entry.id << " has no \"## " << title << "\"";
    EXPECT_NE(spec.find("weight " + std::to_string(entry.weight) + ","), std::string::npos)
        << entry.id << ": the spec states the rubric weight";
  }
  const std::string index = readText(kSource / "docs" / "checks" / "README.md");
  for (const auto& entry : rubric())
    EXPECT_NE(index.find("[" + std::string(entry.id) + "](" + std::string(entry.id) + ".md)"),
              std::string::npos)
        << "docs/checks/README.md does not index " << entry.id;
}

TEST(CheckSpecs, EveryCataloguedTagIsInTheSpecOfItsCheck) {
  for (const auto& catalogue : allTagCatalogues())
    for (const auto& spec : catalogue) {
      if (spec.check_id.empty()) continue;  // shared by several checks, owned by none
      ASSERT_NE(findRubricEntry(spec.check_id), nullptr) << spec.tag << ": " << spec.check_id;
      EXPECT_FALSE(findingRow(readText(specPath(spec.check_id)), spec.tag).empty())
          << spec.tag << " has no row in the Findings table of " << specPath(spec.check_id);
    }
}

TEST(CheckSpecs, EveryTagASpecNamesIsCatalogued) {
  const std::regex quoted("`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`");
  for (const auto& entry : fs::directory_iterator(kSource / "docs" / "checks")) {
    const std::string text = readText(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), quoted), end; it != end; ++it)
      EXPECT_NE(findAnyTagSpec((*it)[1].str()), nullptr)
          << entry.path().filename() << " names " << (*it)[1] << ", which no catalogue declares";
  }
}

// The rubric's critical tags are marked **critical** in their spec's Findings table, and no
// other row is.
TEST(CheckSpecs, CriticalMarksFollowTheRubricTagRules) {
  std::set<std::string> critical;
  for (const auto& rule : tagRules())
    if (rule.severity == Severity::Critical) critical.insert(std::string(rule.tag));
  for (const auto& catalogue : allTagCatalogues())
    for (const auto& spec : catalogue) {
      if (spec.check_id.empty()) continue;
      const std::string row = findingRow(readText(specPath(spec.check_id)), spec.tag);
      if (row.empty()) continue;  // reported by EveryCataloguedTagIsInTheSpecOfItsCheck
      EXPECT_EQ(row.find("**critical**") != std::string::npos,
                critical.contains(std::string(spec.tag)))
          << spec.check_id << ": " << row;
    }
}

TEST(CheckSpecs, EveryTestASpecListsExists) {
  const std::regex listed(R"(^- `(\w+\.\w+)`)", std::regex::multiline);
  for (const auto& entry : rubric()) {
    const std::string tests = section(readText(specPath(entry.id)), "Tests");
    std::size_t count = 0;
    for (std::sregex_iterator it(tests.begin(), tests.end(), listed), end; it != end; ++it) {
      ++count;
      EXPECT_TRUE(declaredTests().contains((*it)[1].str()))
          << entry.id << " lists " << (*it)[1] << ", which no TEST under tests/ declares";
    }
    EXPECT_GT(count, 0u) << entry.id << " lists no test";
  }
}

// `grep -r <ID> tests/` finds the tests of every check that runs. The tables that name every
// check at once (scoring, rubric data) do not count: they show the ID exists, not that its check
// is tested.
TEST(CheckSpecs, EveryCheckThatRunsIsNamedInItsTests) {
  const std::set<fs::path> wholeRubric = {kSource / "tests/checks/audit/scoring_test.cpp",
                                          kSource / "tests/checks/core/rubric_test.cpp"};
  for (const auto& entry : rubric()) {
    if (!entry.runs) continue;
    bool named = false;
    for (const auto& [path, text] : testSources())
      if (!wholeRubric.contains(path) && text.find(entry.id) != std::string::npos) named = true;
    EXPECT_TRUE(named) << "no test source under tests/ names " << entry.id;
  }
}

// Each judge cites its spec ("// Spec: docs/checks/<ID>.md").
TEST(CheckSpecs, EveryCheckThatRunsIsCitedByItsJudge) {
  const auto code = sources(kSource / "checks", {".cpp"});
  for (const auto& entry : rubric()) {
    if (!entry.runs) continue;
    const std::string citation = "Spec: docs/checks/" + std::string(entry.id) + ".md";
    bool cited = false;
    for (const auto& [path, text] : code) cited = cited || text.find(citation) != std::string::npos;
    EXPECT_TRUE(cited) << "no source under checks/ says \"" << citation << "\"";
  }
}

}  // namespace
}  // namespace mh::audit
