// Test helper shared by the record-table tests: reads tests/shared/testdata/records/*.jsonl into id -> input.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace mh::testing_support {

inline std::map<std::string, std::string> loadRecordCases(const std::string& file) {
  const std::string path = std::string(MH_SHARED_DIR) + "/testdata/records/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Poco::JSON::Parser parser;
    auto obj = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
    out[obj->getValue<std::string>("id")] = obj->getValue<std::string>("input");
  }
  return out;
}

}  // namespace mh::testing_support
