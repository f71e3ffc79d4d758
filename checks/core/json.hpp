// A small ordered JSON value used for evidence, reports and the CLI's --format json.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mh {

// Objects keep insertion order so that reports read in the order checks wrote them.
class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool b) : value_(b) {}
  Json(int i) : value_(static_cast<std::int64_t>(i)) {}
  Json(unsigned i) : value_(static_cast<std::int64_t>(i)) {}
  Json(long i) : value_(static_cast<std::int64_t>(i)) {}
  Json(long long i) : value_(static_cast<std::int64_t>(i)) {}
  Json(unsigned long i) : value_(static_cast<std::int64_t>(i)) {}
  Json(unsigned long long i) : value_(static_cast<std::int64_t>(i)) {}
  Json(double d) : value_(d) {}
  Json(const char* s) : value_(std::string(s)) {}
  Json(std::string s) : value_(std::move(s)) {}
  Json(std::string_view s) : value_(std::string(s)) {}
  Json(Array a) : value_(std::make_shared<Array>(std::move(a))) {}
  Json(Object o) : value_(std::make_shared<Object>(std::move(o))) {}

  static Json array() { return Json(Array{}); }
  static Json object() { return Json(Object{}); }
  static Json object(std::initializer_list<std::pair<std::string, Json>> members);
  // Reads JSON text (RFC 8259) back: what dump() wrote, or nullopt when `text` is not one JSON
  // value. A number without fraction or exponent that fits 64 bits is an integer, any other a
  // double; object members keep their order (duplicates included).
  static std::optional<Json> parse(std::string_view text);

  bool isNull() const { return std::holds_alternative<std::monostate>(value_); }
  bool isBool() const { return std::holds_alternative<bool>(value_); }
  bool isInt() const { return std::holds_alternative<std::int64_t>(value_); }
  bool isDouble() const { return std::holds_alternative<double>(value_); }
  bool isString() const { return std::holds_alternative<std::string>(value_); }
  bool isArray() const { return std::holds_alternative<std::shared_ptr<Array>>(value_); }
  bool isObject() const { return std::holds_alternative<std::shared_ptr<Object>>(value_); }

  bool asBool() const { return std::get<bool>(value_); }
  std::int64_t asInt() const { return std::get<std::int64_t>(value_); }
  double asDouble() const { return std::get<double>(value_); }
  const std::string& asString() const { return std::get<std::string>(value_); }
  const Array& asArray() const { return *std::get<std::shared_ptr<Array>>(value_); }
  const Object& asObject() const { return *std::get<std::shared_ptr<Object>>(value_); }

  // Appends to an array (a null value becomes an empty array first).
  Json& push(Json v);
  // Sets a member of an object (a null value becomes an empty object first); replaces an
  // existing member of the same name in place.
  Json& set(std::string_view key, Json v);
  // Member lookup; nullptr when absent or not an object.
  const Json* find(std::string_view key) const;
  std::size_t size() const;

  // Compact serialisation; strings are escaped so that any byte sequence gives valid JSON in
  // valid UTF-8 (each byte that does not belong to a valid UTF-8 sequence becomes U+FFFD).
  std::string dump() const;
  // Indented serialisation for humans.
  std::string pretty(int indent = 2) const;

 private:
  void write(std::string& out, int indent, int depth) const;
  Array& mutableArray();
  Object& mutableObject();

  std::variant<std::monostate, bool, std::int64_t, double, std::string, std::shared_ptr<Array>,
               std::shared_ptr<Object>>
      value_;
};

// Escapes a string as a JSON string literal, quotes included.
std::string jsonQuote(std::string_view s);

}  // namespace mh
