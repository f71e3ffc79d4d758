// The real-MTA lab: a private Postfix (Debian package postfix) with its own configuration, queue
// and log in a temp dir, one smtpd listener per scenario on loopback, STARTTLS with a lab CA
// certificate, and Postfix's own record of each SMTP session.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mh::lab {

// One smtpd service of master.cf: `<address>:<port> inet n - n - - smtpd -o key=value ...`. Its
// log lines are tagged `postfix-<name>/smtpd` (syslog_name), so each listener's sessions can be
// told apart.
struct PostfixListener {
  std::string name;  // letters, digits and '-'
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                        // 0: a free port chosen at start
  std::map<std::string, std::string> overrides;  // main.cf parameters for this listener only
};

struct PostfixLabOptions {
  std::string hostname = "mx1.example.test";  // myhostname: the greeting and EHLO name
  std::string cert_file;                      // smtpd_tls_cert_file (PEM chain)
  std::string key_file;                       // smtpd_tls_key_file
  std::vector<PostfixListener> listeners;
  std::vector<std::string> main_cf;  // more main.cf lines
  std::chrono::milliseconds start_timeout{15000};
};

// One SMTP session as Postfix logged it.
struct SmtpdSession {
  std::string listener;                      // PostfixListener::name
  std::vector<std::string> client_commands;  // what the client sent ("EHLO x"), in order
  std::map<std::string, std::string>
      counters;  // disconnect summary: "ehlo" -> "1", "starttls" -> "0/1"
  std::string disconnect_line;
};

// A private Postfix master (`master -c <tempdir>/etc`) as a child process. It must run as root:
// Postfix starts its daemons as root and drops to the `postfix` user. The constructor returns
// once every listener accepts connections and throws std::runtime_error with Postfix's log
// otherwise. The destructor stops master with SIGTERM (it passes the signal to its children)
// and removes the temp dir; master also gets SIGKILL if the test process dies.
//
// The configuration keeps Debian's defaults for everything TLS (smtpd_tls_protocols >=TLSv1,
// the "medium" cipher grade) unless a listener overrides them; chroot is off, no mail is
// accepted (smtpd_relay_restrictions = reject, empty mydestination), peer names are not looked
// up, and `debug_peer_list = 127.0.0.0/8` logs every SMTP command a loopback client sends.
class PostfixLab {
 public:
  explicit PostfixLab(PostfixLabOptions options);
  ~PostfixLab();
  PostfixLab(const PostfixLab&) = delete;
  PostfixLab& operator=(const PostfixLab&) = delete;

  // Why a Postfix lab cannot run here (not root, postfix not installed); nullopt when it can.
  static std::optional<std::string> unavailableReason();

  std::uint16_t port(const std::string& listener) const;
  const std::filesystem::path& dir() const { return dir_; }
  std::string log() const;  // the whole maillog so far

  // The sessions logged so far (a session appears once its "disconnect from" line is logged).
  std::vector<SmtpdSession> sessions() const;
  // Waits (up to `limit`) until `listener` has at least `count` finished sessions: postlogd writes
  // the log asynchronously. Returns that listener's sessions.
  std::vector<SmtpdSession> waitForSessions(
      const std::string& listener, std::size_t count,
      std::chrono::milliseconds limit = std::chrono::seconds(10)) const;

 private:
  void prepare();
  bool tryStart(std::string& why, bool& retry);
  void stop();

  PostfixLabOptions options_;
  std::filesystem::path dir_;
  std::string master_;  // path of Postfix's master daemon
  pid_t pid_ = -1;
};

// Parses Postfix log text into sessions (exposed for the harness's own tests).
std::vector<SmtpdSession> parseSmtpdSessions(const std::string& log);

// The MX host name of the shared Postfix lab's certificates.
inline constexpr const char* kPostfixMxHost = "mx1.example.test";

// The Postfix of the transport lab tests, started on first use and kept until the test process
// ends, with one listener on 127.0.0.1 per scenario:
//   "debian-defaults"  Debian's TLS defaults: smtpd_tls_protocols >=TLSv1, "medium" cipher grade
//   "modern"           smtpd_tls_protocols >=TLSv1.2, ECDHE with AES-GCM or ChaCha20 only
//   "wrong-name"       certificate for other.example.test (lab CA)
//   "self-signed"      self-signed certificate for kPostfixMxHost
//   "no-tls"           smtpd_tls_security_level = none: STARTTLS not offered
// Certificates are EC P-256, valid 90 days, issued by the lab CA for kPostfixMxHost unless said
// otherwise. Throws std::runtime_error (every time) when it cannot start.
PostfixLab& sharedPostfixLab();

}  // namespace mh::lab
