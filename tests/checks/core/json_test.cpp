// Tests for checks/core/json.cpp: ordering, escaping and copy-on-write.
#include "checks/core/json.hpp"

#include <gtest/gtest.h>

namespace mh {
namespace {

TEST(Json, ObjectsKeepInsertionOrderAndReplaceInPlace) {
  Json j = Json::object();
  j.set("b", 1).set("a", "x").set("b", 2);
  EXPECT_EQ(j.dump(), R"({"b":2,"a":"x"})");
}

TEST(Json, EscapesControlAndInvalidUtf8Bytes) {
  EXPECT_EQ(jsonQuote("a\"b\\c\n"), R"("a\"b\\c\n")");
  EXPECT_EQ(jsonQuote(std::string("\x01", 1)), R"("\u0001")");
  EXPECT_EQ(jsonQuote("Bộ Công an"), "\"Bộ Công an\"");
}

TEST(Json, InvalidUtf8BecomesTheReplacementCharacter) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(jsonQuote("\xEF"), "\"" + fffd + "\"");  // truncated
  EXPECT_EQ(jsonQuote("a\xFF"
                      "b"),
            "\"a" + fffd + "b\"");                              // never a UTF-8 byte
  EXPECT_EQ(jsonQuote("\xC0\xAF"), "\"" + fffd + fffd + "\"");  // overlong '/'
  EXPECT_EQ(jsonQuote("\xE0\x80\xAF"), "\"" + fffd + fffd + fffd + "\"");
  EXPECT_EQ(jsonQuote("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // a surrogate
  EXPECT_EQ(jsonQuote("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");
  EXPECT_EQ(jsonQuote("\xF5\x80\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");
  EXPECT_EQ(jsonQuote("\xF0\x9F\x93\xA7"), "\"\xF0\x9F\x93\xA7\"");  // U+1F4E7 stays
  EXPECT_EQ(jsonQuote("\xEF\xBF\xBD"), "\"" + fffd + "\"");
}

TEST(Json, CopiesAreIndependent) {
  Json a = Json::array();
  a.push(1);
  Json b = a;
  b.push(2);
  EXPECT_EQ(a.dump(), "[1]");
  EXPECT_EQ(b.dump(), "[1,2]");
}

TEST(Json, PrettyPrintsNestedValues) {
  Json j = Json::object({{"k", Json(Json::Array{1, true, nullptr})}});
  EXPECT_EQ(j.pretty(), "{\n  \"k\": [\n    1,\n    true,\n    null\n  ]\n}");
}

}  // namespace
}  // namespace mh
