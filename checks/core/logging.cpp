// Subsystem loggers: get-or-create in spdlog's registry.
#include "checks/core/logging.hpp"

namespace mh {

std::shared_ptr<spdlog::logger> subsystemLogger(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  auto created = spdlog::default_logger()->clone(name);
  try {
    spdlog::register_logger(created);
  } catch (const spdlog::spdlog_ex&) {
    // Registered meanwhile by another thread: use theirs.
    if (auto existing = spdlog::get(name)) return existing;
  }
  return created;
}

}  // namespace mh
