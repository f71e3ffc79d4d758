// The polite SMTP STARTTLS prober (RFC 5321, RFC 3207): greeting, EHLO, STARTTLS, a TLS
// handshake with SNI, then QUIT; it captures the session facts and judges nothing.
#include "checks/tls/starttls_probe.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "checks/tls/openssl_errors.hpp"
#include "checks/tls/openssl_ptr.hpp"
#include "checks/tls/sigpipe_block.hpp"

namespace mh::tls {

namespace {

using std::chrono::milliseconds;

// QUIT is a courtesy: never wait long for its 221.
constexpr milliseconds kQuitWait{2'000};

using PkeyPtr = EvpPkeyPtr;

SteadyClock::time_point phaseDeadline(milliseconds phase, SteadyClock::time_point budget) {
  return std::min(SteadyClock::now() + phase, budget);
}

bool isIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// The outcome of an I/O failure in the SMTP dialogue.
ProbeOutcome fromIo(IoStatus s) {
  switch (s) {
    case IoStatus::Ok:
      return ProbeOutcome::Ok;
    case IoStatus::Timeout:
      return ProbeOutcome::Timeout;
    case IoStatus::ConnectFailed:
      return ProbeOutcome::ConnectFailed;
    case IoStatus::Malformed:
    case IoStatus::TooLong:
      return ProbeOutcome::ProtocolError;
    case IoStatus::Closed:
    case IoStatus::TlsError:
      return ProbeOutcome::ConnectionDropped;
  }
  return ProbeOutcome::ProtocolError;
}

void fail(ProbeResult& r, ProbeOutcome o, std::string_view phase, std::string_view why) {
  r.outcome = o;
  r.detail = std::string(phase) + ": " + std::string(why);
}

std::string replySummary(const SmtpReply& reply) {
  return std::to_string(reply.code) + " " + reply.text();
}

// A best-effort QUIT (RFC 5321 §4.1.1.10); its failure changes nothing in the result.
void quitPolitely(SmtpSession& s, SteadyClock::time_point budget, ProbeResult& r) {
  const auto deadline = phaseDeadline(kQuitWait, budget);
  std::string detail;
  if (s.sendCommand("QUIT", deadline, detail) != IoStatus::Ok) return;
  const ReplyRead q = s.readReply(deadline);
  if (q.status == IoStatus::Ok) r.quit_code = q.reply.code;
}

// Greeting, EHLO (HELO after a 5xx), STARTTLS. True when the server answered 220 to STARTTLS and
// the socket is ready for the handshake; otherwise r.outcome/r.detail say why.
bool plainDialogue(SmtpSession& s, const SmtpTarget& target, const ProbeOptions& o,
                   SteadyClock::time_point budget, ProbeResult& r) {
  r.address_class = classifyAddress(target.address);
  if (!isProbeAllowed(r.address_class, o.allow_private_targets)) {
    fail(r, ProbeOutcome::NotAllowed, "address", toString(r.address_class));
    return false;
  }
  std::string detail;
  const IoStatus c =
      s.connect(target.address, target.port, phaseDeadline(o.timeouts.connect, budget), detail);
  if (c != IoStatus::Ok) {
    fail(r, fromIo(c), "connect", detail);
    return false;
  }

  // RFC 5321 §4.2, §3.1: the greeting is 220, or 554 "no SMTP service here"; 421 is transient.
  const ReplyRead g = s.readReply(phaseDeadline(o.timeouts.greeting, budget));
  if (g.status != IoStatus::Ok) {
    fail(r, fromIo(g.status), "greeting", g.detail);
    return false;
  }
  r.greeting_code = g.reply.code;
  r.greeting = g.reply.text();
  if (g.reply.code != 220) {
    const int cls = g.reply.codeClass();
    fail(r,
         cls == 4   ? ProbeOutcome::TemporaryFailure
         : cls == 5 ? ProbeOutcome::Refused
                    : ProbeOutcome::ProtocolError,
         "greeting", replySummary(g.reply));
    if (cls == 4 || cls == 5) quitPolitely(s, budget, r);
    return false;
  }

  // RFC 5321 §4.1.1.1; §3.2: fall back to HELO only when EHLO is not recognised (5xx).
  if (const IoStatus w =
          s.sendCommand("EHLO " + o.ehlo_name, phaseDeadline(o.timeouts.reply, budget), detail);
      w != IoStatus::Ok) {
    fail(r, fromIo(w), "ehlo", detail);
    return false;
  }
  const ReplyRead e = s.readReply(phaseDeadline(o.timeouts.reply, budget));
  if (e.status != IoStatus::Ok) {
    fail(r, fromIo(e.status), "ehlo", e.detail);
    return false;
  }
  r.ehlo_code = e.reply.code;
  if (e.reply.codeClass() == 5) {
    if (const IoStatus w =
            s.sendCommand("HELO " + o.ehlo_name, phaseDeadline(o.timeouts.reply, budget), detail);
        w != IoStatus::Ok) {
      fail(r, fromIo(w), "helo", detail);
      return false;
    }
    const ReplyRead h = s.readReply(phaseDeadline(o.timeouts.reply, budget));
    if (h.status != IoStatus::Ok) {
      fail(r, fromIo(h.status), "helo", h.detail);
      return false;
    }
    r.helo_code = h.reply.code;
    const int cls = h.reply.codeClass();
    fail(r,
         cls == 2   ? ProbeOutcome::NoStartTls
         : cls == 4 ? ProbeOutcome::TemporaryFailure
         : cls == 5 ? ProbeOutcome::Refused
                    : ProbeOutcome::ProtocolError,
         "helo", "EHLO refused with " + replySummary(e.reply));
    quitPolitely(s, budget, r);
    return false;
  }
  if (e.reply.codeClass() != 2) {
    fail(r, e.reply.codeClass() == 4 ? ProbeOutcome::TemporaryFailure : ProbeOutcome::ProtocolError,
         "ehlo", replySummary(e.reply));
    quitPolitely(s, budget, r);
    return false;
  }
  r.ehlo_keywords = ehloKeywords(e.reply);
  r.starttls_advertised = hasKeyword(r.ehlo_keywords, "STARTTLS");
  if (!r.starttls_advertised) {
    fail(r, ProbeOutcome::NoStartTls, "ehlo", "STARTTLS not advertised");
    quitPolitely(s, budget, r);
    return false;
  }

  // RFC 3207 §4: 220 Ready to start TLS; 454 TLS not available; 501 syntax.
  if (const IoStatus w = s.sendCommand("STARTTLS", phaseDeadline(o.timeouts.reply, budget), detail);
      w != IoStatus::Ok) {
    fail(r, fromIo(w), "starttls", detail);
    return false;
  }
  const ReplyRead t = s.readReply(phaseDeadline(o.timeouts.reply, budget));
  if (t.status != IoStatus::Ok) {
    fail(r, fromIo(t.status), "starttls", t.detail);
    return false;
  }
  r.starttls_code = t.reply.code;
  r.starttls_text = t.reply.text();
  if (t.reply.code != 220) {
    fail(r, ProbeOutcome::StartTlsRejected, "starttls", replySummary(t.reply));
    quitPolitely(s, budget, r);
    return false;
  }
  r.bytes_after_starttls = s.bufferedBytes() > 0;
  s.discardBuffered();
  r.outcome = ProbeOutcome::Ok;
  r.detail.clear();
  return true;
}

CertificateData certificateData(X509* x) {
  CertificateData c;
  const int len = i2d_X509(x, nullptr);
  if (len > 0) {
    c.der.resize(static_cast<std::size_t>(len));
    unsigned char* p = c.der.data();
    i2d_X509(x, &p);
  }
  const auto memText = [](const auto& write) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || !write(bio.get())) return std::string();
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
  };
  c.pem = memText([&](BIO* b) { return PEM_write_bio_X509(b, x) == 1; });
  c.subject = memText([&](BIO* b) {
    return X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0;
  });
  c.issuer = memText([&](BIO* b) {
    return X509_NAME_print_ex(b, X509_get_issuer_name(x), 0, XN_FLAG_RFC2253) >= 0;
  });
  return c;
}

std::vector<CertificateData> chainData(STACK_OF(X509) * chain) {
  std::vector<CertificateData> out;
  if (chain == nullptr) return out;
  for (int i = 0; i < sk_X509_num(chain); ++i)
    out.push_back(certificateData(sk_X509_value(chain, i)));
  return out;
}

TlsSessionFacts sessionFacts(SSL* ssl) {
  TlsSessionFacts f;
  f.protocol = SSL_get_version(ssl);
  f.protocol_version = SSL_version(ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) {
    f.cipher = SSL_CIPHER_get_name(c);
    if (const char* std_name = SSL_CIPHER_standard_name(c)) f.cipher_iana = std_name;
    f.cipher_id = SSL_CIPHER_get_protocol_id(c);
  }
  if (const int nid = SSL_get_negotiated_group(ssl); nid != NID_undef) {
    if (const char* name = SSL_group_to_name(ssl, nid)) f.group = name;
  }
  EVP_PKEY* raw = nullptr;
  if (SSL_get_peer_tmp_key(ssl, &raw) == 1 && raw != nullptr) {
    PkeyPtr key(raw);
    if (const char* type = EVP_PKEY_get0_type_name(key.get())) f.peer_tmp_key = type;
    f.peer_tmp_key_bits = EVP_PKEY_get_bits(key.get());
  }
  // On the client side the peer chain includes the server's own certificate (leaf first).
  f.peer_chain = chainData(SSL_get_peer_cert_chain(ssl));
  f.verified_chain = chainData(SSL_get0_verified_chain(ssl));
  f.verify_result = SSL_get_verify_result(ssl);
  f.verify_error = X509_verify_cert_error_string(f.verify_result);
  return f;
}

// The TLS handshake over the session's socket; on success the facts are in r.tls.
void handshake(SmtpSession& s, SSL_CTX* ctx, const SmtpTarget& target, const ProbeOptions& o,
               SteadyClock::time_point budget, ProbeResult& r) {
  ERR_clear_error();
  SslPtr ssl(SSL_new(ctx));
  if (!ssl || SSL_set_fd(ssl.get(), s.fd()) != 1) {
    fail(r, ProbeOutcome::HandshakeFailed, "handshake", "SSL_new: " + opensslErrors());
    return;
  }
  // RFC 6066 §3: SNI carries a host name, never an address literal.
  if (!target.host.empty() && !isIpLiteral(target.host))
    SSL_set_tlsext_host_name(ssl.get(), target.host.c_str());
  SSL_set_connect_state(ssl.get());

  std::string why;
  const IoStatus hs =
      tlsHandshake(ssl.get(), s.fd(), phaseDeadline(o.timeouts.handshake, budget), why);
  if (hs != IoStatus::Ok) {
    fail(r, hs == IoStatus::Timeout ? ProbeOutcome::Timeout : ProbeOutcome::HandshakeFailed,
         "handshake", why);
    return;
  }
  r.tls = sessionFacts(ssl.get());
  r.outcome = ProbeOutcome::Ok;

  // RFC 3207 §4.2 wants a new EHLO after the handshake; we only say goodbye.
  s.useTls(ssl.get());
  quitPolitely(s, budget, r);
  SSL_shutdown(ssl.get());  // one non-blocking close_notify; no wait for the peer's
  s.useTls(nullptr);
  ERR_clear_error();
}

// A timeout that ran into the per-address budget says so, with the budget, so that a report
// shows a tarpit cost no more than that (a phase limit shorter than the budget is not noted); one
// that ran into the caller's cap (the domain audit's budget) says that instead.
void noteBudget(ProbeResult& r, SteadyClock::time_point budget, milliseconds total, bool capped) {
  if (r.outcome != ProbeOutcome::Timeout || SteadyClock::now() < budget) return;
  r.detail += capped
                  ? std::string(" (the domain's audit budget ran out)")
                  : " (the per-address budget of " + std::to_string(total.count()) + " ms ran out)";
}

// The end of one address's budget: the per-address budget, or the caller's cap when earlier.
SteadyClock::time_point budgetEnd(SteadyClock::time_point start, milliseconds total,
                                  SteadyClock::time_point cap, bool& capped) {
  const auto own = start + total;
  capped = cap < own;
  return capped ? cap : own;
}

void logResult(const ProbeResult& r) {
  smtpLogger()->debug("probe finished host={} address={} port={} outcome={} detail=\"{}\" ms={}",
                      r.target.host, r.target.address, r.target.port, toString(r.outcome), r.detail,
                      r.elapsed.count());
}

}  // namespace

bool handshakeRejectedByServer(const ProbeResult& p) {
  return p.detail.find("SSL routines") != std::string::npos;
}

std::string_view toString(ProbeOutcome o) {
  switch (o) {
    case ProbeOutcome::Ok:
      return "ok";
    case ProbeOutcome::NoStartTls:
      return "no-starttls";
    case ProbeOutcome::StartTlsRejected:
      return "starttls-rejected";
    case ProbeOutcome::HandshakeFailed:
      return "handshake-failed";
    case ProbeOutcome::ConnectFailed:
      return "connect-failed";
    case ProbeOutcome::Timeout:
      return "timeout";
    case ProbeOutcome::TemporaryFailure:
      return "temporary-failure";
    case ProbeOutcome::Refused:
      return "refused";
    case ProbeOutcome::ConnectionDropped:
      return "connection-dropped";
    case ProbeOutcome::ProtocolError:
      return "protocol-error";
    case ProbeOutcome::NotAllowed:
      return "not-allowed";
  }
  return "unknown";
}

void StartTlsProber::CtxFree::operator()(SSL_CTX* ctx) const {
  SSL_CTX_free(ctx);
}

StartTlsProber::StartTlsProber(ProbeOptions options)
    : options_(std::move(options)), ctx_(SSL_CTX_new(TLS_client_method())) {
  const auto configError = [](std::string what) {
    return std::runtime_error(what + ": " + opensslErrors());
  };
  if (!ctx_) throw configError("SSL_CTX_new");
  SSL_CTX* ctx = ctx_.get();
  // Capture first, judge after: the handshake never stops on a bad certificate, but the chain
  // is still verified and the result kept (SSL_get_verify_result).
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);  // every probe a full handshake
  SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET);
  if (options_.use_system_store && SSL_CTX_set_default_verify_paths(ctx) != 1)
    throw configError("system CA store");
  if (!options_.ca_file.empty() &&
      SSL_CTX_load_verify_locations(ctx, options_.ca_file.c_str(), nullptr) != 1)
    throw configError("CA file " + options_.ca_file);
  if (SSL_CTX_set_min_proto_version(ctx, options_.min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, options_.max_version) != 1)
    throw configError("protocol version range");
  if (!options_.cipher_list.empty() &&
      SSL_CTX_set_cipher_list(ctx, options_.cipher_list.c_str()) != 1)
    throw configError("cipher list");
  if (!options_.ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(ctx, options_.ciphersuites.c_str()) != 1)
    throw configError("TLS 1.3 cipher suites");
  ERR_clear_error();
}

ProbeResult StartTlsProber::probe(const SmtpTarget& target, SteadyClock::time_point cap) const {
  const SigpipeBlock sigpipe;
  const auto start = SteadyClock::now();
  bool capped = false;
  const auto budget = budgetEnd(start, options_.timeouts.budget, cap, capped);
  ProbeResult r;
  r.target = target;
  SmtpSession s;
  if (plainDialogue(s, target, options_, budget, r))
    handshake(s, ctx_.get(), target, options_, budget, r);
  noteBudget(r, budget, options_.timeouts.budget, capped);
  r.elapsed = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
  logResult(r);
  return r;
}

ProbeResult probeStartTls(const SmtpTarget& target, const ProbeOptions& options) {
  return StartTlsProber(options).probe(target);
}

StartTlsSocket openStartTlsSocket(const SmtpTarget& target, const ProbeOptions& options,
                                  SteadyClock::time_point cap) {
  const auto start = SteadyClock::now();
  StartTlsSocket out;
  bool capped = false;
  out.deadline = budgetEnd(start, options.timeouts.budget, cap, capped);
  out.result.target = target;
  SmtpSession s;
  if (plainDialogue(s, target, options, out.deadline, out.result)) out.fd = s.releaseFd();
  noteBudget(out.result, out.deadline, options.timeouts.budget, capped);
  out.result.elapsed = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
  logResult(out.result);
  return out;
}

}  // namespace mh::tls
