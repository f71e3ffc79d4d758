// Run bookkeeping shared by the self-check and national runs.
#include "service/http/audit_jobs.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "checks/core/json.hpp"
#include "checks/core/logging.hpp"

namespace mh::service::http {

std::shared_ptr<spdlog::logger> httpLogger() {
  static const auto logger = subsystemLogger("http");
  return logger;
}

std::string runOptionsJson(const AuditEnvironment& env, std::string_view started_by) {
  return Json::object({{"started_by", started_by},
                       {"threads", env.audit_threads},
                       {"no_smtp", env.scanner.tls == nullptr}})
      .dump();
}

bool runCheckedNetwork(const store::RunInfo& run) {
  try {
    auto parsed = Poco::JSON::Parser().parse(run.options_json);
    auto object = parsed.extract<Poco::JSON::Object::Ptr>();
    return !(object && object->has("no_smtp") && object->getValue<bool>("no_smtp"));
  } catch (const Poco::Exception&) {
    return false;
  } catch (const std::exception&) {
    return false;
  }
}

Json domainResultJson(const audit::DomainReport& report, bool network_checked, std::int64_t run_id,
                      store::RunKind kind) {
  Json j = audit::toJson(report);
  j.set("network_checked", network_checked);
  j.set("run", Json::object({{"id", run_id}, {"kind", store::toString(kind)}}));
  return j;
}

}  // namespace mh::service::http
