// Tests for checks/core/json.cpp: ordering, escaping, copy-on-write and reading text back.
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

TEST(Json, ParseReadsBackWhatDumpWrote) {
  Json j = Json::object({{"z", 1},
                         {"a", Json(Json::Array{Json(true), Json(false), Json(), Json(-7)})},
                         {"mean", 87.5},
                         {"whole", 90.0},
                         {"text", "Bộ Công an \"quoted\" \\ tab\t nl\n \x01 /"},
                         {"nested", Json::object({{"empty", Json::object()}, {"list", Json::array()}})}});
  const auto back = Json::parse(j.dump());
  ASSERT_TRUE(back);
  // 90.0 is written "90", an integer, as SQLite's json functions also read it.
  EXPECT_EQ(back->find("whole")->asInt(), 90);
  EXPECT_DOUBLE_EQ(back->find("mean")->asDouble(), 87.5);
  EXPECT_EQ(back->find("text")->asString(), "Bộ Công an \"quoted\" \\ tab\t nl\n \x01 /");
  EXPECT_EQ(back->dump(), j.dump());
  EXPECT_EQ(back->asObject().front().first, "z");  // member order kept
}

TEST(Json, ParseNumbersEscapesAndWhitespace) {
  const auto j = Json::parse(" { \"i\" : -12 , \"big\": 123456789012345678901, \"e\": 1e3,"
                             " \"u\": \"\\u00e9\\ud83d\\ude00\\/\", \"lone\": \"\\ud800\" } ");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->find("i")->asInt(), -12);
  EXPECT_TRUE(j->find("big")->isDouble());  // beyond 64 bits: a double, as in SQLite
  EXPECT_DOUBLE_EQ(j->find("e")->asDouble(), 1000.0);
  EXPECT_EQ(j->find("u")->asString(), "\xC3\xA9\xF0\x9F\x98\x80/");
  EXPECT_EQ(j->find("lone")->asString(), "\xEF\xBF\xBD");
}

TEST(Json, ParseRefusesWhatIsNotOneJsonValue) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"a", "[1] 2",
                          "{\"a\":1,}", "\"tab\tinside\"", "nul", "{1:2}", "'a'"})
    EXPECT_FALSE(Json::parse(bad)) << bad;
  EXPECT_FALSE(Json::parse(std::string(5000, '[') + std::string(5000, ']')));  // too deep
  EXPECT_TRUE(Json::parse(std::string(100, '[') + std::string(100, ']')));
}

}  // namespace
}  // namespace mh
