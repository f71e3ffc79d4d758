// Wiring of the token subcommand: accounts with a random token, their list, their revocation.
#include "service/cli/token_command.hpp"

#include <filesystem>
#include <ostream>

#include "checks/audit/domain_audit.hpp"
#include "checks/core/text.hpp"
#include "service/cli/scanner_options.hpp"
#include "service/http/admin_tokens.hpp"
#include "service/store/account_store.hpp"

namespace mh::service {

namespace {

constexpr int kMaxExpiresDays = 10 * 366;
// 256 random bits: a token nobody guesses, longer than http::kMinAdminTokenLength.
constexpr std::size_t kTokenBytes = 32;

struct TokenOptions {
  std::string db;
  std::string role;
  std::string name;
  std::vector<std::string> domains;
  std::optional<int> expires_days;
  std::vector<std::string> positional;
};

// Parses the options after the subcommand; "" when fine, else the usage error.
std::string parseOptions(const std::vector<std::string>& args, TokenOptions& o) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool hasValue = i + 1 < args.size();
    if (a == "--db" && hasValue) {
      o.db = args[++i];
    } else if (a == "--role" && hasValue) {
      o.role = args[++i];
    } else if (a == "--name" && hasValue) {
      o.name = args[++i];
    } else if (a == "--domains" && hasValue) {
      std::string_view list = args[++i];
      while (!list.empty()) {
        const auto comma = std::min(list.find(','), list.size());
        const auto item = ascii::trim(list.substr(0, comma));
        list.remove_prefix(std::min(comma + 1, list.size()));
        if (item.empty()) continue;
        std::string error;
        auto domain = audit::normaliseDomainArgument(item, error);
        if (!domain) return "--domains: " + std::string(item) + ": " + error;
        o.domains.push_back(*domain);
      }
    } else if (a == "--expires" && hasValue) {
      o.expires_days = parseInt(args[++i], 1, kMaxExpiresDays);
      if (!o.expires_days)
        return "--expires: give a number of days from 1 to " + std::to_string(kMaxExpiresDays);
    } else if (!a.starts_with("--")) {
      o.positional.push_back(a);
    } else {
      return "unknown or incomplete option " + a;
    }
  }
  if (o.db.empty()) return "give --db PATH";
  return "";
}

int create(const TokenOptions& o, std::ostream& out, std::ostream& err) {
  const auto role = store::parseRole(o.role);
  if (!role) {
    err << "mailhygiene token: --role: give admin, auditor or agency\n";
    return 2;
  }
  if (o.name.empty()) {
    err << "mailhygiene token: give --name TEXT (who holds the token)\n";
    return 2;
  }
  if (*role == store::Role::Agency && o.domains.empty()) {
    err << "mailhygiene token: an agency account needs --domains a.gov.vn[,b.gov.vn]\n";
    return 2;
  }
  if (*role != store::Role::Agency && !o.domains.empty()) {
    err << "mailhygiene token: --domains is for agency accounts (" << o.role
        << " sees every domain)\n";
    return 2;
  }
  if (auto parent = std::filesystem::path(o.db).parent_path(); !parent.empty())
    std::filesystem::create_directories(parent);
  store::AccountStore accounts(o.db);
  const std::string token = http::randomHex(kTokenBytes);
  store::NewAccount n{o.name, *role, o.domains, http::sha256Hex(token), o.expires_days};
  const auto account = accounts.createAccount(n);
  store::AuditEntry entry;
  entry.client = "cli";
  entry.action = "token_create";
  entry.detail = "account " + std::to_string(account.id) + " role " + o.role;
  entry.outcome = "ok";
  accounts.audit(entry);
  out << "account " << account.id << " created: " << account.name << ", role "
      << store::toString(account.role);
  if (!account.domains.empty()) out << ", domains " << joined(account.domains, ",");
  out << ", expires " << account.expires_at.value_or("never") << "\n";
  out << "the token is shown once; only its SHA-256 is stored:\n";
  out << token << "\n";
  return 0;
}

int list(const TokenOptions& o, std::ostream& out) {
  store::AccountStore accounts(o.db);
  out << "id\tname\trole\tdomains\tcreated\texpires\trevoked\n";
  for (const auto& a : accounts.accounts())
    out << a.id << "\t" << a.name << "\t" << store::toString(a.role) << "\t"
        << (a.domains.empty() ? "-" : joined(a.domains, ",")) << "\t" << a.created_at << "\t"
        << a.expires_at.value_or("never") << "\t" << a.revoked_at.value_or("-") << "\n";
  return 0;
}

int revoke(const TokenOptions& o, std::ostream& out, std::ostream& err) {
  const auto id = o.positional.size() == 1 ? parseInt(o.positional[0], 1, 2147483647)
                                           : std::nullopt;
  if (!id) {
    err << "mailhygiene token revoke: give one account ID (see `mailhygiene token list`)\n";
    return 2;
  }
  store::AccountStore accounts(o.db);
  if (!accounts.account(*id)) {
    err << "mailhygiene token revoke: no account " << *id << "\n";
    return 2;
  }
  const bool revoked = accounts.revokeAccount(*id);
  store::AuditEntry entry;
  entry.client = "cli";
  entry.action = "token_revoke";
  entry.detail = "account " + std::to_string(*id);
  entry.outcome = revoked ? "ok" : "already revoked";
  accounts.audit(entry);
  out << "account " << *id << (revoked ? " revoked; its sessions ended\n" : " was revoked already\n");
  return 0;
}

}  // namespace

std::string tokenUsage() {
  return "usage: mailhygiene token create --db PATH --role admin|auditor|agency --name TEXT\n"
         "                               [--domains a.gov.vn,b.gov.vn] [--expires DAYS]\n"
         "       mailhygiene token list --db PATH\n"
         "       mailhygiene token revoke --db PATH ID\n"
         "\n"
         "Accounts of the HTTP service (README \"Who may see what\"). `create` makes an account\n"
         "with a random 256-bit token and prints the token once, as the last line; the store\n"
         "keeps only its SHA-256. An agency account needs --domains: it sees only those.\n"
         "`list` shows the accounts (never a token); `revoke` ends an account and its sessions.\n"
         "Every change is written to the store's audit log.\n";
}

int runTokenCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    out << tokenUsage();
    return 0;
  }
  if (args.empty() || (args[0] != "create" && args[0] != "list" && args[0] != "revoke")) {
    err << "mailhygiene token: give a subcommand (create, list, revoke)\n\n" << tokenUsage();
    return 2;
  }
  TokenOptions o;
  if (auto error = parseOptions(args, o); !error.empty()) {
    err << "mailhygiene token: " << error << "\n\n" << tokenUsage();
    return 2;
  }
  if (args[0] != "create" && !std::filesystem::exists(o.db)) {
    err << "mailhygiene token: no database " << o.db << "\n";
    return 2;
  }
  if (args[0] != "revoke" && !o.positional.empty()) {
    err << "mailhygiene token: unexpected argument " << o.positional[0] << "\n";
    return 2;
  }
  try {
    if (args[0] == "create") return create(o, out, err);
    if (args[0] == "list") return list(o, out);
    return revoke(o, out, err);
  } catch (const std::exception& e) {
    err << "mailhygiene token: internal failure: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mh::service
