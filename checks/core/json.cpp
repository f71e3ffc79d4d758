// Serialisation of the ordered JSON value.
#include "checks/core/json.hpp"

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

std::string jsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  char buf[8];
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
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
    out += jsonQuote(asString());
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
      out += jsonQuote(o[i].first);
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

}  // namespace mh
