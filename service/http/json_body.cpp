// The JSON bodies of POST requests, read into plain values.
#include "service/http/json_body.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <exception>

namespace mh::service::http {

std::optional<std::string> selfCheckDomainField(std::string_view body) {
  try {
    // Poco's default nesting limit (128) bounds the recursion of the parser.
    auto parsed = Poco::JSON::Parser().parse(std::string(body));
    auto object = parsed.extract<Poco::JSON::Object::Ptr>();
    if (!object || !object->has("domain") || !object->get("domain").isString()) return std::nullopt;
    return object->getValue<std::string>("domain");
  } catch (const std::exception&) {  // Poco's parse and cast errors included
    return std::nullopt;
  }
}

}  // namespace mh::service::http
