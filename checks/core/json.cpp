// Serialisation of the ordered JSON value.
#include "checks/core/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace mh {

Json Json::object(std::initializer_list<std::pair<std::string, Json>> members) {
  return Json(Object(members.begin(), members.end()));
}

Json::Array& Json::mutableArray() {
  if (isNull()) value_ = std::make_shared<Array>();
  auto& p = std::get<std::shared_ptr<Array>>(value_);
  if (p.use_count() > 1) p = std::make_shared<Array>(*p);  // copy on write
  return *p;
}

Json::Object& Json::mutableObject() {
  if (isNull()) value_ = std::make_shared<Object>();
  auto& p = std::get<std::shared_ptr<Object>>(value_);
  if (p.use_count() > 1) p = std::make_shared<Object>(*p);
  return *p;
}

Json& Json::push(Json v) {
  mutableArray().push_back(std::move(v));
  return *this;
}

Json& Json::set(std::string_view key, Json v) {
  auto& obj = mutableObject();
  for (auto& [k, existing] : obj) {
    if (k == key) {
      existing = std::move(v);
      return *this;
    }
  }
  obj.emplace_back(std::string(key), std::move(v));
  return *this;
}

const Json* Json::find(std::string_view key) const {
  if (!isObject()) return nullptr;
  for (const auto& [k, v] : asObject())
    if (k == key) return &v;
  return nullptr;
}

std::size_t Json::size() const {
  if (isArray()) return asArray().size();
  if (isObject()) return asObject().size();
  return 0;
}

namespace {

// Length of a valid UTF-8 sequence starting at s[i] (RFC 3629 §4: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
std::size_t utf8SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) low = 0xA0;   // overlong
    if (c == 0xED) high = 0x9F;  // UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) low = 0x90;   // overlong
    if (c == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return len;
}

}  // namespace

namespace {

// Appends `s` as a JSON string literal (what jsonQuote returns) to `out`.
void appendQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  char buf[8];
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {  // printable ASCII: as is, in runs
      std::size_t end = i + 1;
      while (end < s.size()) {
        const unsigned char d = static_cast<unsigned char>(s[end]);
        if (d < 0x20 || d >= 0x7F || d == '"' || d == '\\') break;
        ++end;
      }
      out.append(s.substr(i, end - i));
      i = end;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
      continue;
    }
    std::size_t len = utf8SequenceLength(s, i);
    if (len == 0) {  // not UTF-8: U+FFFD REPLACEMENT CHARACTER for the byte, never invalid JSON
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  out.push_back('"');
}

}  // namespace

std::string jsonQuote(std::string_view s) {
  std::string out;
  appendQuoted(out, s);
  return out;
}

void Json::write(std::string& out, int indent, int depth) const {
  auto newline = [&](int d) {
    if (indent <= 0) return;
    out.push_back('\n');
    out.append(static_cast<std::size_t>(indent * d), ' ');
  };
  if (isNull()) {
    out += "null";
  } else if (isBool()) {
    out += asBool() ? "true" : "false";
  } else if (isInt()) {
    out += std::to_string(asInt());
  } else if (isDouble()) {
    double d = asDouble();
    if (!std::isfinite(d)) {
      out += "null";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      out += buf;
    }
  } else if (isString()) {
    appendQuoted(out, asString());
  } else if (isArray()) {
    const auto& a = asArray();
    out.push_back('[');
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i) out.push_back(',');
      newline(depth + 1);
      a[i].write(out, indent, depth + 1);
    }
    if (!a.empty()) newline(depth);
    out.push_back(']');
  } else {
    const auto& o = asObject();
    out.push_back('{');
    for (std::size_t i = 0; i < o.size(); ++i) {
      if (i) out.push_back(',');
      newline(depth + 1);
      appendQuoted(out, o[i].first);
      out += indent > 0 ? ": " : ":";
      o[i].second.write(out, indent, depth + 1);
    }
    if (!o.empty()) newline(depth);
    out.push_back('}');
  }
}

std::string Json::dump() const {
  std::string out;
  write(out, 0, 0);
  return out;
}

std::string Json::pretty(int indent) const {
  std::string out;
  write(out, indent, 0);
  return out;
}

namespace {

// A recursive-descent reader of RFC 8259 text into Json; any error leaves ok false.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  std::optional<Json> document() {
    Json v = value(0);
    space();
    if (!ok_ || at_ != text_.size()) return std::nullopt;
    return v;
  }

 private:
  static constexpr int kMaxDepth = 1000;  // as SQLite's json_valid

  void space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }
  Json fail() {
    ok_ = false;
    return Json();
  }
  bool literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  Json value(int depth) {
    space();
    if (!ok_ || at_ >= text_.size() || depth > kMaxDepth) return fail();
    switch (text_[at_]) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': {
        std::string s;
        return string(s) ? Json(std::move(s)) : fail();
      }
      case 't': return literal("true") ? Json(true) : fail();
      case 'f': return literal("false") ? Json(false) : fail();
      case 'n': return literal("null") ? Json() : fail();
      default: return number();
    }
  }

  Json object(int depth) {
    ++at_;  // {
    Json::Object members;
    space();
    if (at_ < text_.size() && text_[at_] == '}') {
      ++at_;
      return Json(std::move(members));
    }
    while (ok_) {
      space();
      std::string key;
      if (at_ >= text_.size() || text_[at_] != '"' || !string(key)) return fail();
      space();
      if (at_ >= text_.size() || text_[at_] != ':') return fail();
      ++at_;
      Json v = value(depth + 1);
      members.emplace_back(std::move(key), std::move(v));
      space();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
      } else if (at_ < text_.size() && text_[at_] == '}') {
        ++at_;
        return Json(std::move(members));
      } else {
        return fail();
      }
    }
    return fail();
  }

  Json array(int depth) {
    ++at_;  // [
    Json::Array items;
    space();
    if (at_ < text_.size() && text_[at_] == ']') {
      ++at_;
      return Json(std::move(items));
    }
    while (ok_) {
      items.push_back(value(depth + 1));
      space();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
      } else if (at_ < text_.size() && text_[at_] == ']') {
        ++at_;
        return Json(std::move(items));
      } else {
        return fail();
      }
    }
    return fail();
  }

  Json number() {
    const std::size_t start = at_;
    auto digits = [&] {
      const std::size_t from = at_;
      while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
      return at_ - from;
    };
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    const std::size_t intStart = at_;
    const std::size_t intDigits = digits();
    if (intDigits == 0 || (intDigits > 1 && text_[intStart] == '0')) return fail();
    bool integral = true;
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (digits() == 0) return fail();
      integral = false;
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (digits() == 0) return fail();
      integral = false;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + at_;
    if (integral) {
      std::int64_t i = 0;
      if (auto [p, ec] = std::from_chars(first, last, i); ec == std::errc() && p == last)
        return Json(static_cast<long long>(i));
    }
    double d = 0;
    auto [p, ec] = std::from_chars(first, last, d);
    if (p != last || (ec != std::errc() && ec != std::errc::result_out_of_range)) return fail();
    return Json(d);
  }

  // Four hex digits of a \u escape; -1 when they are not.
  int hex4() {
    if (at_ + 4 > text_.size()) return -1;
    int v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text_[at_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return -1;
      }
    }
    return v;
  }

  static void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool string(std::string& out) {
    ++at_;  // "
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '"') {
        ++at_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        const std::size_t end = text_.find_first_of("\"\\", at_);
        const std::size_t stop = end == std::string_view::npos ? text_.size() : end;
        for (std::size_t k = at_; k < stop; ++k)
          if (static_cast<unsigned char>(text_[k]) < 0x20) return false;
        out.append(text_.substr(at_, stop - at_));
        at_ = stop;
        continue;
      }
      if (++at_ >= text_.size()) return false;
      switch (text_[at_++]) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          int cp = hex4();
          if (cp < 0) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && text_.substr(at_, 2) == "\\u") {
            const std::size_t mark = at_;
            at_ += 2;
            const int low = hex4();
            if (low >= 0xDC00 && low <= 0xDFFF) {
              appendUtf8(out, 0x10000 + ((static_cast<std::uint32_t>(cp) - 0xD800) << 10) +
                                  (static_cast<std::uint32_t>(low) - 0xDC00));
              break;
            }
            at_ = mark;
          }
          // A lone surrogate is no character: U+FFFD, as dump() does for bytes that are not UTF-8.
          appendUtf8(out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : static_cast<std::uint32_t>(cp));
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace

std::optional<Json> Json::parse(std::string_view text) {
  return Reader(text).document();
}

}  // namespace mh
