// Configuration keys of `mailhygiene serve`, their defaults, and the command-line overrides.
#include "service/http/serve_config.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <algorithm>
#include <charconv>

#include "service/http/client_address.hpp"

namespace mh::service::http {

namespace {

using Poco::Util::AbstractConfiguration;

std::optional<long> parseLong(const std::string& text, long min, long max) {
  long n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n < min || n > max)
    return std::nullopt;
  return n;
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + ",") {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

bool isSha256Hex(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Reads an integer key; keeps `target` when absent. Returns an error message or "".
template <typename T>
std::string readInt(const AbstractConfiguration& conf, const std::string& key, long min, long max,
                    T& target) {
  if (!conf.hasProperty(key)) return "";
  auto n = parseLong(Poco::trim(conf.getString(key)), min, max);
  if (!n)
    return key + ": give a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  target = static_cast<T>(*n);
  return "";
}

// Reads a true/false key; keeps `target` when absent. Returns an error message or "".
std::string readBool(const AbstractConfiguration& conf, const std::string& key, bool& target) {
  if (!conf.hasProperty(key)) return "";
  const std::string value = Poco::toLower(Poco::trim(conf.getString(key)));
  if (value == "true" || value == "yes" || value == "on" || value == "1") {
    target = true;
  } else if (value == "false" || value == "no" || value == "off" || value == "0") {
    target = false;
  } else {
    return key + ": give true or false";
  }
  return "";
}

// The scanner.* keys become the scanner's command-line options, so both share one parser:
// scanner.no_smtp = true is --no-smtp, scanner.smtp_port = 2525 is --smtp-port 2525, and
// scanner.resolver takes a list.
std::string readScannerKeys(const AbstractConfiguration& conf, ScannerOptions& scanner) {
  AbstractConfiguration::Keys keys;
  conf.keys("scanner", keys);
  std::vector<std::string> args;
  for (const auto& key : keys) {
    std::string option = "--" + key;
    std::replace(option.begin(), option.end(), '_', '-');
    const std::string value = Poco::trim(conf.getString("scanner." + key));
    const std::string lower = Poco::toLower(value);
    if (lower == "true" || lower == "yes" || lower == "on") {
      args.push_back(option);
    } else if (lower == "false" || lower == "no" || lower == "off") {
      continue;
    } else if (key == "resolver") {
      for (const auto& r : splitList(value)) args.insert(args.end(), {option, r});
    } else {
      args.insert(args.end(), {option, value});
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto parsed = parseScannerOption(args, i, scanner);
    if (!parsed) return "unknown scanner key " + args[i].substr(2);
    if (!parsed->empty()) return "scanner key: " + *parsed;
  }
  return "";
}

// audit.utc_offset, audit.schedule (in that offset), audit.retry_delay, audit.rechecks and
// audit.resume_on_start. Returns an error message or "".
std::string readScheduleKeys(const AbstractConfiguration& conf, ScheduleConfig& target) {
  std::string error;
  if (conf.hasProperty("audit.utc_offset")) {
    auto offset = parseUtcOffset(conf.getString("audit.utc_offset"), error);
    if (!offset) return "audit.utc_offset: " + error;
    target.schedule.utc_offset = *offset;
  }
  if (conf.hasProperty("audit.schedule")) {
    auto schedule = parseSchedule(conf.getString("audit.schedule"), error);
    if (!schedule) return "audit.schedule: " + error;
    schedule->utc_offset = target.schedule.utc_offset;
    target.schedule = *schedule;
  }
  if (conf.hasProperty("audit.retry_delay")) {
    auto delay = parseDelay(conf.getString("audit.retry_delay"), error);
    if (!delay) return "audit.retry_delay: " + error;
    target.retry_delay = *delay;
  }
  if (auto e = readInt(conf, "audit.rechecks", 0, 10, target.rechecks); !e.empty()) return e;
  return readBool(conf, "audit.resume_on_start", target.resume_on_start);
}

// The SHA-256 hashes of `key` (comma-separated), or an error message.
std::string readHashes(const AbstractConfiguration& conf, const std::string& key,
                       std::vector<std::string>& target) {
  for (const auto& hash : splitList(Poco::toLower(conf.getString(key, "")))) {
    if (!isSha256Hex(hash)) return key + ": give SHA-256 hashes as 64 hex digits, separated by commas";
    target.push_back(hash);
  }
  return "";
}

// access.public_overview, access.metrics_token_sha256, access.session_idle_minutes and
// access.session_max_hours. Returns an error message or "".
std::string readAccessKeys(const AbstractConfiguration& conf, AccessConfig& target) {
  if (auto e = readBool(conf, "access.public_overview", target.public_overview); !e.empty())
    return e;
  if (auto e = readHashes(conf, "access.metrics_token_sha256", target.metrics_token_sha256);
      !e.empty())
    return e;
  if (auto e = readInt(conf, "access.session_idle_minutes", 1, 24 * 60, target.session_idle_minutes);
      !e.empty())
    return e;
  return readInt(conf, "access.session_max_hours", 1, 24 * 30, target.session_max_hours);
}

std::string readConfigFile(const std::string& path, ServeConfig& c) {
  Poco::AutoPtr<AbstractConfiguration> conf;
  try {
    if (path.size() > 4 && Poco::toLower(path.substr(path.size() - 4)) == ".ini") {
      conf = new Poco::Util::IniFileConfiguration(path);
    } else {
      conf = new Poco::Util::PropertyFileConfiguration(path);
    }
  } catch (const Poco::Exception& e) {
    return "cannot read " + path + ": " + e.displayText();
  }
  c.bind = conf->getString("serve.bind", c.bind);
  c.domains_file = conf->getString("serve.domains", c.domains_file);
  c.db = conf->getString("serve.db", c.db);
  std::string error;
  auto check = [&](std::string e) {
    if (error.empty()) error = std::move(e);
  };
  check(readInt(*conf, "serve.port", 0, 65535, c.port));
  check(readInt(*conf, "serve.max_threads", 1, 256, c.max_threads));
  check(readInt(*conf, "serve.max_queued", 1, 10000, c.max_queued));
  check(readInt(*conf, "serve.timeout_seconds", 1, 300, c.timeout_seconds));
  check(readInt(*conf, "serve.max_body_bytes", 64, 1 << 20, c.max_body_bytes));
  check(readInt(*conf, "serve.request_deadline_seconds", 1, 300, c.request_deadline_seconds));
  check(readInt(*conf, "serve.response_deadline_seconds", 1, 3600, c.response_deadline_seconds));
  check(readInt(*conf, "serve.keep_alive_seconds", 1, 300, c.keep_alive_seconds));
  check(readInt(*conf, "serve.max_connections_per_client", 1, 10000, c.max_connections_per_client));
  check(readInt(*conf, "serve.max_waiting_connections", 1, 100000, c.max_waiting_connections));
  for (const auto& name : splitList(conf->getString("serve.hostnames", "")))
    c.hostnames.push_back(name);
  for (const auto& cidr : splitList(conf->getString("serve.trusted_proxies", ""))) {
    if (!parseCidr(cidr)) {
      check("serve.trusted_proxies: give addresses or CIDRs (10.0.0.0/8, ::1), not " + cidr);
      break;
    }
    c.trusted_proxies.push_back(cidr);
  }
  check(readInt(*conf, "admin.attempts_per_minute", 1, 1000, c.admin_attempts_per_minute));
  check(readInt(*conf, "audit.threads", 1, 256, c.audit_threads));
  check(readInt(*conf, "store.keep_evidence_days", 0, 100 * 366, c.keep_evidence_days));
  check(readInt(*conf, "store.busy_timeout_ms", 0, 600000, c.busy_timeout_ms));
  check(readScheduleKeys(*conf, c.schedule));
  auto& s = c.self_check;
  check(readInt(*conf, "selfcheck.max_age_seconds", 0, 365L * 86400, s.max_age_seconds));
  check(readInt(*conf, "selfcheck.rate_per_client_per_minute", 0, 10000,
                s.rate_per_client_per_minute));
  check(readInt(*conf, "selfcheck.agency_rate_per_minute", 0, 10000, s.agency_rate_per_minute));
  check(readInt(*conf, "selfcheck.rate_per_domain_per_minute", 0, 10000,
                s.rate_per_domain_per_minute));
  check(readInt(*conf, "selfcheck.deadline_seconds", 1, 600, s.deadline_seconds));
  check(readInt(*conf, "selfcheck.max_concurrent", 1, 64, s.max_concurrent));
  check(readInt(*conf, "selfcheck.max_jobs_per_client", 1, 64, s.max_jobs_per_client));
  check(readInt(*conf, "selfcheck.max_waiters_per_domain", 1, 1000, s.max_waiters_per_domain));
  check(readInt(*conf, "selfcheck.job_retention_seconds", 10, 86400, s.job_retention_seconds));
  check(readHashes(*conf, "admin.token_sha256", c.admin_token_sha256));
  check(readAccessKeys(*conf, c.access));
  check(readScannerKeys(*conf, c.scanner));
  return error.empty() ? "" : path + ": " + error;
}

}  // namespace

std::string serveUsage() {
  return R"(usage: mailhygiene serve [options]

Serves the JSON API (/api/v1, described at /api/v1/openapi.json), /healthz and /metrics.
Stops cleanly on SIGTERM or SIGINT.

options:
  --config FILE           configuration (.ini, or Java-style properties); the options below
                          override it (keys and defaults: see service/mailhygiene.ini)
  --bind ADDR             address to listen on (default 127.0.0.1)
  --port N                port to listen on (default 8080; 0: any free port)
  --domains FILE          the registry of audited domains (default ./domains.csv)
  --db PATH               the SQLite database (default var/mailhygiene.db)
  --schedule WHEN         national runs: off (default), "daily HH:MM" (local time, UTC+07:00
                          unless audit.utc_offset says otherwise), "every N hours" or
                          "every N minutes"
  --retry-delay DELAY     wait before re-checking the domains a run left in error
                          (default "30 minutes")
)" + scannerUsage();
}

std::variant<ServeConfig, ServeUsage> parseServeArguments(const std::vector<std::string>& args) {
  ServeConfig c;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" || args[i].rfind("--config=", 0) == 0) {
      std::string path =
          args[i] == "--config" ? (i + 1 < args.size() ? args[i + 1] : "") : args[i].substr(9);
      if (path.empty()) return ServeUsage{"option --config needs a value"};
      if (auto error = readConfigFile(path, c); !error.empty()) return ServeUsage{error};
    }
  }
  const bool cliResolvers = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a == "--resolver" || a.rfind("--resolver=", 0) == 0;
  });
  if (cliResolvers) c.scanner.resolvers.clear();  // the command line replaces the file's list
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (auto scanner = parseScannerOption(args, i, c.scanner)) {
      if (!scanner->empty()) return ServeUsage{*scanner};
      continue;
    }
    const CommandLineOption option = splitOption(args[i]);
    const std::string& a = option.name;
    auto value = [&] { return option.value(args, i); };
    if (a == "-h" || a == "--help") return ServeUsage{""};
    if (a != "--config" && a != "--bind" && a != "--port" && a != "--domains" && a != "--db" &&
        a != "--schedule" && a != "--retry-delay")
      return ServeUsage{"unknown option " + a};
    auto v = value();
    if (!v) return ServeUsage{"option " + a + " needs a value"};
    if (a == "--bind") {
      c.bind = *v;
    } else if (a == "--port") {
      auto n = parseLong(*v, 0, 65535);
      if (!n) return ServeUsage{"--port: give a port from 0 to 65535"};
      c.port = static_cast<std::uint16_t>(*n);
    } else if (a == "--domains") {
      c.domains_file = *v;
    } else if (a == "--db") {
      c.db = *v;
    } else if (a == "--schedule") {
      std::string error;
      auto schedule = parseSchedule(*v, error);
      if (!schedule) return ServeUsage{"--schedule: " + error};
      schedule->utc_offset = c.schedule.schedule.utc_offset;
      c.schedule.schedule = *schedule;
    } else if (a == "--retry-delay") {
      std::string error;
      auto delay = parseDelay(*v, error);
      if (!delay) return ServeUsage{"--retry-delay: " + error};
      c.schedule.retry_delay = *delay;
    }
  }
  return c;
}

}  // namespace mh::service::http

namespace mh::service::http {

std::vector<std::string> allowedHostnames(const ServeConfig& config) {
  std::vector<std::string> names = config.hostnames;
  const auto bound = canonicalAddress(config.bind);
  const bool loopback =
      config.bind == "localhost" || (bound && (bound->rfind("127.", 0) == 0 || *bound == "::1"));
  if (loopback) names.insert(names.end(), {"localhost", "127.0.0.1", "::1"});
  if (bound && *bound != "0.0.0.0" && *bound != "::") names.push_back(*bound);
  if (!loopback && config.hostnames.empty()) names.clear();  // not configured: any Host
  return names;
}

}  // namespace mh::service::http
