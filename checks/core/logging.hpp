// One spdlog logger per subsystem: a named clone of the default logger (stderr), made once.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace mh {

// The logger named `name` ("registry", "store"...): the registered one, or a clone of the
// default logger registered under that name. Safe to call from several threads.
std::shared_ptr<spdlog::logger> subsystemLogger(const std::string& name);

}  // namespace mh
