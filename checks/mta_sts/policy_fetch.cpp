// MTA-STS policy fetch (RFC 8461 §3.3) over OpenSSL with strict verification, bounded by deadlines.
#include "checks/mta_sts/policy_fetch.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <mutex>
#include <sstream>

#include "checks/tls/address_safety.hpp"
#include "checks/tls/deadline_io.hpp"
#include "checks/tls/openssl_errors.hpp"
#include "checks/tls/openssl_ptr.hpp"
#include "checks/tls/sigpipe_block.hpp"
#include "checks/core/text.hpp"

namespace mh::mta_sts {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// RFC 8461 §3.3: "https://mta-sts.<domain>/.well-known/mta-sts.txt".
constexpr std::string_view kPolicyPath = "/.well-known/mta-sts.txt";
constexpr std::string_view kUserAgent = "mailhygiene-mta-sts/1";
constexpr std::size_t kMaxHeadBytes = 16 * 1024;  // status line and header fields
constexpr std::size_t kMaxChunkLine = 1024;       // chunk-size line with extensions
constexpr int kMaxInterimResponses = 5;           // 1xx answers skipped before the final one

// A failure that ends one attempt: thrown inside this file only (never past fetchMtaStsPolicy),
// where it becomes the attempt's result and the fetch outcome.
struct Stop {
  FetchOutcome outcome;
  std::string detail;
};

// What the OpenSSL callbacks saw, reached through the SSL_CTX ex_data of our own context.
struct TlsCapture {
  long verify_error = X509_V_OK;
  int verify_depth = -1;
  std::string protocol;
  std::string cipher;
};

int captureIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

TlsCapture* captureOf(const SSL* ssl) {
  if (ssl == nullptr) return nullptr;
  return static_cast<TlsCapture*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), captureIndex()));
}

// Records the first verification failure and never changes OpenSSL's verdict (replaces Poco's
// callback, which would let an SSLManager-wide InvalidCertificateHandler accept a bad chain).
int verifyCallback(int ok, X509_STORE_CTX* store) {
  if (ok == 1) return ok;
  const auto* ssl = static_cast<const SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (TlsCapture* c = captureOf(ssl); c != nullptr && c->verify_error == X509_V_OK) {
    c->verify_error = X509_STORE_CTX_get_error(store);
    c->verify_depth = X509_STORE_CTX_get_error_depth(store);
  }
  return ok;
}

void infoCallback(const SSL* ssl, int where, int /*ret*/) {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
  if (TlsCapture* c = captureOf(ssl)) {
    c->protocol = SSL_get_version(ssl);
    c->cipher = SSL_get_cipher_name(ssl);
  }
}

using StorePtr = tls::X509StorePtr;

// A long-running service (serve) picks up CA bundle updates within this time.
constexpr std::chrono::hours kTrustStoreLifetime{1};

// A PEM file, or a hashed directory (c_rehash) as Poco's caLocation allowed.
bool loadCaLocation(X509_STORE* store, const std::string& location) {
  std::error_code ec;
  if (std::filesystem::is_directory(location, ec))
    return X509_STORE_load_path(store, location.c_str()) == 1;
  return X509_STORE_load_file(store, location.c_str()) == 1;
}

}  // namespace

class PolicyTrustStore {
 public:
  // A new reference to the store for the options' trust settings; nullptr with `error` set when
  // they cannot be loaded (an unreadable CA file).
  X509_STORE* acquire(const PolicyFetchOptions& options, std::string& error) {
    const std::lock_guard lock(mu_);
    const auto now = SteadyClock::now();
    if (!built_ || system_ != options.use_system_store || ca_file_ != options.ca_file ||
        now - built_at_ > kTrustStoreLifetime) {
      built_ = true;
      built_at_ = now;
      system_ = options.use_system_store;
      ca_file_ = options.ca_file;
      error_.clear();
      store_.reset(X509_STORE_new());
      ERR_clear_error();
      if (!store_) {
        error_ = "X509_STORE_new: " + tls::opensslErrors();
      } else if (system_ && X509_STORE_set_default_paths(store_.get()) != 1) {
        error_ = "cannot load the default CA certificates: " + tls::opensslErrors();
      } else if (!ca_file_.empty() && !loadCaLocation(store_.get(), ca_file_)) {
        error_ = "cannot load CA file/directory at " + ca_file_ + ": " + tls::opensslErrors();
      }
      if (!error_.empty()) store_.reset();
      ERR_clear_error();
    }
    if (!store_) {
      error = error_;
      return nullptr;
    }
    X509_STORE_up_ref(store_.get());
    return store_.get();
  }

 private:
  std::mutex mu_;  // guards everything below
  bool built_ = false;
  SteadyClock::time_point built_at_;
  bool system_ = false;
  std::string ca_file_;
  StorePtr store_;
  std::string error_;
};

std::shared_ptr<PolicyTrustStore> newPolicyTrustStore() {
  return std::make_shared<PolicyTrustStore>();
}

namespace {

// A verifying client context for one host: system store and/or ca_file (parsed once per options,
// PolicyTrustStore), TLS 1.2 or newer, chain and name checked by OpenSSL during the handshake
// (X509_VERIFY_PARAM_set1_host, RFC 6125 rules, no partial wildcards), so a wrong certificate
// aborts the handshake with its reason. Throws Stop when the trust anchors cannot be loaded.
Poco::Net::Context::Ptr makeContext(const PolicyFetchOptions& options, const std::string& host,
                                    TlsCapture& capture) {
  std::string storeError;
  X509_STORE* store = options.trust ? options.trust->acquire(options, storeError)
                                    : newPolicyTrustStore()->acquire(options, storeError);
  if (store == nullptr) throw Stop{FetchOutcome::TlsFailed, "TLS context: " + storeError};
  const StorePtr storeRef(store);
  Poco::Net::Context::Params params;
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  params.loadDefaultCAs = false;  // the shared store below holds the trust anchors
  params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
  Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  SSL_CTX* ssl = ctx->sslContext();
  SSL_CTX_set1_cert_store(ssl, store);
  SSL_CTX_set_min_proto_version(ssl, TLS1_2_VERSION);
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER, verifyCallback);
  SSL_CTX_set_info_callback(ssl, infoCallback);
  SSL_CTX_set_ex_data(ssl, captureIndex(), &capture);
  return ctx;
}

using ascii::lower;
std::string trim(std::string_view s) { return std::string(ascii::trimWsp(s)); }

std::string sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0x0f];
  }
  return out;
}

// The HTTP exchange over one verified TLS connection (a non-blocking socket), every read and
// write bounded by the fetch's deadline.
class Exchange {
 public:
  Exchange(int fd, SSL* ssl, SteadyClock::time_point deadline, std::size_t maxBody)
      : fd_(fd), ssl_(ssl), deadline_(deadline), max_body_(maxBody) {}

  void send(const std::string& request) {
    std::string detail;
    const tls::IoStatus status = tls::sendAll(fd_, ssl_, request, deadline_, detail);
    if (status == tls::IoStatus::Timeout)
      throw Stop{FetchOutcome::Timeout, "time budget exhausted sending the request"};
    if (status != tls::IoStatus::Ok)
      throw Stop{FetchOutcome::ConnectionDropped, "connection closed while sending: " + detail};
  }

  // Reads the final response head (1xx interim answers are skipped) into response.
  void readHead(Poco::Net::HTTPResponse& response) {
    for (int interim = 0; interim <= kMaxInterimResponses; ++interim) {
      std::size_t end = std::string::npos;
      while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (buffer_.size() > kMaxHeadBytes)
          throw Stop{FetchOutcome::MalformedResponse, "response header larger than 16 KiB"};
        if (!fill()) {
          throw Stop{FetchOutcome::ConnectionDropped,
                     buffer_.empty() ? "connection closed without a response"
                                     : "connection closed inside the response header"};
        }
      }
      std::istringstream head(buffer_.substr(0, end + 4));
      buffer_.erase(0, end + 4);
      response.clear();
      try {
        response.read(head);
      } catch (const Poco::Exception& e) {
        throw Stop{FetchOutcome::MalformedResponse, "unparsable HTTP response: " + e.displayText()};
      }
      const int status = static_cast<int>(response.getStatus());
      if (status < 100 || status > 599)
        throw Stop{FetchOutcome::MalformedResponse, "HTTP status out of range"};
      if (status >= 200) return;
    }
    throw Stop{FetchOutcome::MalformedResponse, "too many interim (1xx) responses"};
  }

  // The body with Content-Length, chunked or close-delimited framing (RFC 9112 §6), at most
  // max_body_ bytes: more is TooLarge and reading stops there.
  std::string readBody(const Poco::Net::HTTPResponse& response) {
    std::string body;
    if (response.getChunkedTransferEncoding()) {
      readChunked(body);
    } else if (response.hasContentLength()) {
      const auto length = static_cast<std::size_t>(response.getContentLength64());
      if (length > max_body_) throw tooLarge(length);
      while (buffer_.size() < length) {
        if (!fill())
          throw Stop{FetchOutcome::ConnectionDropped, "connection closed inside the body"};
      }
      body = buffer_.substr(0, length);
    } else {
      while (buffer_.size() <= max_body_ && fill()) {
      }
      if (buffer_.size() > max_body_) throw tooLarge(0);
      body = buffer_;
    }
    return body;
  }

 private:
  Stop tooLarge(std::size_t announced) const {
    std::string d = "body larger than " + std::to_string(max_body_) + " bytes";
    if (announced > 0) d += " (Content-Length " + std::to_string(announced) + ")";
    return Stop{FetchOutcome::TooLarge, d};
  }

  void readChunked(std::string& body) {
    while (true) {
      std::size_t eol = std::string::npos;
      while ((eol = buffer_.find("\r\n")) == std::string::npos) {
        if (buffer_.size() > kMaxChunkLine)
          throw Stop{FetchOutcome::MalformedResponse, "chunk-size line too long"};
        if (!fill())
          throw Stop{FetchOutcome::ConnectionDropped, "connection closed inside the body"};
      }
      std::string line = buffer_.substr(0, eol);
      buffer_.erase(0, eol + 2);
      line = trim(line.substr(0, line.find(';')));  // chunk-ext is ignored
      if (line.empty() || line.size() > 8 || !std::all_of(line.begin(), line.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c));
          }))
        throw Stop{FetchOutcome::MalformedResponse, "bad chunk size"};
      const std::size_t size = std::stoul(line, nullptr, 16);
      if (size == 0) return;  // trailer fields are not read: the body is complete
      if (body.size() + size > max_body_) throw tooLarge(0);
      while (buffer_.size() < size + 2) {
        if (!fill())
          throw Stop{FetchOutcome::ConnectionDropped, "connection closed inside the body"};
      }
      if (buffer_.compare(size, 2, "\r\n") != 0)
        throw Stop{FetchOutcome::MalformedResponse, "chunk not followed by CRLF"};
      body.append(buffer_, 0, size);
      buffer_.erase(0, size + 2);
    }
  }

  // Appends what arrives next to buffer_; false at the end of the stream.
  bool fill() {
    std::string detail;
    switch (tls::receiveSome(fd_, ssl_, buffer_, deadline_, detail)) {
      case tls::IoStatus::Ok:
        return true;
      case tls::IoStatus::Timeout:
        throw Stop{FetchOutcome::Timeout, "time budget exhausted reading the response"};
      case tls::IoStatus::TlsError:
        throw Stop{FetchOutcome::TlsFailed, detail};
      default:
        return false;
    }
  }

  int fd_;
  SSL* ssl_;
  SteadyClock::time_point deadline_;
  std::size_t max_body_;
  std::string buffer_;
};

// Status classes of RFC 9110 §15: 3xx is a redirect (never followed), 408/429/5xx say "not
// now" and are retried later, the rest of the non-200 answers are the policy host's verdict.
FetchOutcome classifyStatus(int status) {
  if (status == 200) return FetchOutcome::Ok;
  if (status >= 300 && status <= 399) return FetchOutcome::Redirect;
  if (status == 408 || status == 429 || status >= 500) return FetchOutcome::ServerUnavailable;
  return FetchOutcome::HttpStatus;
}

std::vector<std::string> addressesOf(const dns::DnsAnswer& answer) {
  std::vector<std::string> out;
  if (answer.status != dns::DnsStatus::NoError) return out;
  for (const auto& rec : answer.records)
    if (rec.type == answer.qtype) out.push_back(rec.data);
  return out;
}

std::string dnsDetail(const dns::DnsAnswer& a, const dns::DnsAnswer& aaaa) {
  return "A " + std::string(dns::toString(a.status)) + ", AAAA " +
         std::string(dns::toString(aaaa.status));
}

using tls::SslPtr;

// The outcome of a connection or handshake that did not complete. A verification failure recorded
// by the callback wins: OpenSSL reports it as a generic handshake error.
Stop handshakeStop(tls::IoStatus status, const std::string& detail, const TlsCapture& capture) {
  if (capture.verify_error != X509_V_OK)
    return {FetchOutcome::CertificateInvalid, X509_verify_cert_error_string(capture.verify_error)};
  switch (status) {
    case tls::IoStatus::Timeout:
      return {FetchOutcome::Timeout, "time budget exhausted in the TLS handshake: " + detail};
    case tls::IoStatus::ConnectFailed:
      return {FetchOutcome::ConnectFailed, detail};
    case tls::IoStatus::TlsError:
      return {FetchOutcome::TlsFailed, detail};
    default:
      return {FetchOutcome::ConnectionDropped, detail};
  }
}

// One connection and exchange against one address. Fills f; throws Stop for every failure. The
// connection and the handshake end by connectDeadline, the whole exchange by deadline, however the
// server paces its bytes (a non-blocking socket polled until the deadline, never a per-read
// timeout).
void fetchFrom(const std::string& address, SteadyClock::time_point deadline,
               SteadyClock::time_point connectDeadline, const PolicyFetchOptions& options,
               PolicyFetch& f) {
  TlsCapture capture;
  Poco::Net::Context::Ptr ctx;
  try {
    ctx = makeContext(options, f.host, capture);
  } catch (const Poco::Exception& e) {
    throw Stop{FetchOutcome::TlsFailed, "TLS context: " + e.displayText()};
  }
  f.address = address;
  f.tls_protocol.clear();
  const auto keepVerifyFacts = [&] {
    f.verify_error = capture.verify_error == X509_V_OK
                         ? ""
                         : X509_verify_cert_error_string(capture.verify_error);
    f.verify_depth = capture.verify_depth;
  };
  if (SteadyClock::now() >= connectDeadline)
    throw Stop{FetchOutcome::Timeout, "time budget exhausted before connecting"};
  // The socket address is the literal from our resolver: nothing here resolves a name through the
  // system. TCP_NODELAY: the request is one small write right after the handshake, which Nagle
  // would hold until the peer acknowledges our last handshake flight.
  tls::UniqueFd fd;
  std::string detail;
  if (const tls::IoStatus c =
          tls::connectTcp(address, options.https_port, connectDeadline, fd, detail);
      c != tls::IoStatus::Ok)
    throw handshakeStop(c, detail, capture);
  ERR_clear_error();
  SslPtr ssl(SSL_new(ctx->sslContext()));
  if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1)
    throw Stop{FetchOutcome::TlsFailed, "SSL_new: " + tls::opensslErrors()};
  // SNI (RFC 6066 §3); the name itself is checked by OpenSSL (X509_VERIFY_PARAM_set1_host).
  SSL_set_tlsext_host_name(ssl.get(), f.host.c_str());
  // A close without close_notify ends the body like any close (RFC 9112 §9.8), it is no TLS error.
  SSL_set_options(ssl.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_set_connect_state(ssl.get());
  if (const tls::IoStatus h = tls::tlsHandshake(ssl.get(), fd.get(), connectDeadline, detail);
      h != tls::IoStatus::Ok) {
    keepVerifyFacts();
    throw handshakeStop(h, detail, capture);
  }
  f.tls_protocol = capture.protocol;
  f.tls_cipher = capture.cipher;
  f.certificate_verified = capture.verify_error == X509_V_OK;
  if (X509* peer = SSL_get1_peer_certificate(ssl.get())) {
    const Poco::Net::X509Certificate cert(peer);  // takes ownership
    f.certificate_subject = cert.subjectName();
    f.certificate_issuer = cert.issuerName();
  }
  try {
    Exchange exchange(fd.get(), ssl.get(), deadline, options.max_size);
    std::string hostHeader = f.host;
    if (options.https_port != 443) hostHeader += ":" + std::to_string(options.https_port);
    exchange.send("GET " + std::string(kPolicyPath) + " HTTP/1.1\r\nHost: " + hostHeader +
                  "\r\nUser-Agent: " + std::string(kUserAgent) +
                  "\r\nAccept: text/plain\r\nConnection: close\r\n\r\n");
    Poco::Net::HTTPResponse response;
    exchange.readHead(response);
    f.http_status = static_cast<int>(response.getStatus());
    f.http_reason = response.getReason();
    f.content_type = response.get("Content-Type", "");
    f.location = response.get("Location", "");
    if (response.hasContentLength()) {
      const Poco::Int64 length = response.getContentLength64();
      if (length < 0) throw Stop{FetchOutcome::MalformedResponse, "negative Content-Length"};
      f.content_length = static_cast<std::size_t>(length);
    }

    const FetchOutcome byStatus = classifyStatus(f.http_status);
    if (byStatus != FetchOutcome::Ok)
      throw Stop{byStatus, "HTTP " + std::to_string(f.http_status) + " " + f.http_reason};
    // §3.2: "the policy ... is served with media type text/plain".
    if (!isTextPlain(f.content_type))
      throw Stop{FetchOutcome::WrongContentType,
                 f.content_type.empty() ? "no Content-Type" : "Content-Type " + f.content_type};
    f.body = exchange.readBody(response);
    f.body_size = f.body.size();
    SSL_shutdown(ssl.get());  // one non-blocking close_notify; no wait for the peer's
    ERR_clear_error();
  } catch (const Stop&) {
    keepVerifyFacts();
    throw;
  } catch (const Poco::Exception& e) {
    // A header value Poco cannot parse (Content-Length "abc"): the answer is not valid HTTP.
    keepVerifyFacts();
    throw Stop{FetchOutcome::MalformedResponse, e.displayText()};
  }
}

}  // namespace

std::string_view toString(FetchOutcome o) {
  switch (o) {
    case FetchOutcome::Ok:
      return "ok";
    case FetchOutcome::HttpStatus:
      return "http-status";
    case FetchOutcome::Redirect:
      return "redirect";
    case FetchOutcome::WrongContentType:
      return "wrong-content-type";
    case FetchOutcome::TooLarge:
      return "too-large";
    case FetchOutcome::CertificateInvalid:
      return "certificate-invalid";
    case FetchOutcome::NoAddress:
      return "no-address";
    case FetchOutcome::MalformedResponse:
      return "malformed-response";
    case FetchOutcome::DnsError:
      return "dns-error";
    case FetchOutcome::ConnectFailed:
      return "connect-failed";
    case FetchOutcome::Timeout:
      return "timeout";
    case FetchOutcome::TlsFailed:
      return "tls-failed";
    case FetchOutcome::ServerUnavailable:
      return "server-unavailable";
    case FetchOutcome::ConnectionDropped:
      return "connection-dropped";
    case FetchOutcome::NotAllowed:
      return "not-allowed";
  }
  return "unknown";
}

bool isTextPlain(std::string_view contentType) {
  const std::string type = lower(trim(contentType.substr(0, contentType.find(';'))));
  return type == "text/plain";
}

Json PolicyFetch::toJson() const {
  Json out = Json::object({{"url", url}, {"outcome", std::string(mta_sts::toString(outcome))}});
  if (!detail.empty()) out.set("detail", detail);
  Json dnsAnswers = Json::array();
  dnsAnswers.push(dns::toJson(a));
  dnsAnswers.push(dns::toJson(aaaa));
  out.set("dns", dnsAnswers);
  Json tries = Json::array();
  for (const auto& t : attempts) {
    Json one = Json::object({{"address", t.address},
                             {"class", t.address_class},
                             {"allowed", t.allowed},
                             {"result", t.result}});
    if (!t.detail.empty()) one.set("detail", t.detail);
    tries.push(one);
  }
  out.set("attempts", tries);
  if (!address.empty()) out.set("address", address);
  if (!tls_protocol.empty() || !verify_error.empty()) {
    Json tls = Json::object({{"protocol", tls_protocol},
                             {"cipher", tls_cipher},
                             {"certificate_verified", certificate_verified}});
    if (!verify_error.empty()) {
      tls.set("verify_error", verify_error);
      tls.set("verify_depth", verify_depth);
    }
    if (!certificate_subject.empty()) tls.set("subject", certificate_subject);
    if (!certificate_issuer.empty()) tls.set("issuer", certificate_issuer);
    out.set("tls", tls);
  }
  if (http_status != 0) {
    Json http = Json::object({{"status", http_status}, {"reason", http_reason}});
    if (!content_type.empty()) http.set("content_type", content_type);
    if (!location.empty()) http.set("location", location);
    if (content_length) http.set("content_length", static_cast<std::int64_t>(*content_length));
    if (outcome == FetchOutcome::Ok) {
      http.set("body_size", static_cast<std::int64_t>(body_size));
      http.set("body_sha256", body_sha256);
      http.set("body", body);
    }
    out.set("http", http);
  }
  if (policy) out.set("policy", mta_sts::toJson(*policy));
  out.set("elapsed_ms", static_cast<std::int64_t>(elapsed.count()));
  return out;
}

PolicyFetch fetchMtaStsPolicy(dns::Resolver& resolver, std::string_view domain,
                              const PolicyFetchOptions& options) {
  const auto start = SteadyClock::now();
  const auto deadline = start + options.timeout;
  PolicyFetch f;
  f.host = "mta-sts." + dns::normaliseName(domain);
  f.url = "https://" + f.host;
  if (options.https_port != 443) f.url += ":" + std::to_string(options.https_port);
  f.url += kPolicyPath;
  auto finish = [&](FetchOutcome o, std::string detail) {
    f.outcome = o;
    f.detail = std::move(detail);
    f.elapsed = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
    return f;
  };

  // §3.3 names the host; its addresses come from our resolver (CNAMEs followed), never getaddrinfo.
  f.a = resolver.query(f.host, dns::rr::A);
  f.aaaa = resolver.query(f.host, dns::rr::AAAA);
  std::vector<std::string> addresses = addressesOf(f.a);
  for (auto& v6 : addressesOf(f.aaaa)) addresses.push_back(std::move(v6));
  if (addresses.empty()) {
    // An error on either query means the missing address might exist: could not tell.
    if (f.a.isError() || f.aaaa.isError())
      return finish(FetchOutcome::DnsError, dnsDetail(f.a, f.aaaa));
    return finish(FetchOutcome::NoAddress, dnsDetail(f.a, f.aaaa));
  }

  // Issue 3 item 8: a DNS answer must not aim the scanner at an internal service.
  std::vector<std::string> allowed;
  for (const auto& address : addresses) {
    const tls::AddressClass cls = tls::classifyAddress(address);
    FetchAttempt t;
    t.address = address;
    t.address_class = std::string(tls::toString(cls));
    t.allowed = tls::isProbeAllowed(cls, options.allow_private_targets);
    if (t.allowed) {
      allowed.push_back(address);
    } else {
      t.result = std::string(toString(FetchOutcome::NotAllowed));
    }
    f.attempts.push_back(std::move(t));
  }
  if (allowed.empty()) {
    std::string list;
    for (const auto& address : addresses) list += (list.empty() ? "" : ", ") + address;
    return finish(FetchOutcome::NotAllowed, "address safety refused " + list);
  }

  tls::SigpipeBlock sigpipe;
  Stop last{FetchOutcome::ConnectFailed, "no address tried"};
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    auto attempt = std::find_if(f.attempts.begin(), f.attempts.end(),
                                [&](const FetchAttempt& t) { return t.address == allowed[i]; });
    // Share the connect budget among the addresses left, so one black-holed address does not
    // eat the whole budget; the exchange itself may use all that remains.
    const auto now = SteadyClock::now();
    const auto share = (deadline - now) / static_cast<long>(allowed.size() - i);
    try {
      fetchFrom(allowed[i], deadline, now + share, options, f);
      attempt->result = "connected";
      f.body_sha256 = sha256Hex(f.body);
      f.policy = parseMtaStsPolicy(f.body);
      return finish(FetchOutcome::Ok, "");
    } catch (const Stop& s) {
      attempt->result = std::string(toString(s.outcome));
      attempt->detail = s.detail;
      last = s;
    } catch (const std::exception& e) {
      attempt->result = std::string(toString(FetchOutcome::ConnectFailed));
      attempt->detail = e.what();
      last = Stop{FetchOutcome::ConnectFailed, e.what()};
    }
    // Only a failure to reach a server moves on to the next address; an answer (or a bad
    // certificate) from one of the domain's servers is the result.
    const bool handshakeDone = !f.tls_protocol.empty();
    const bool nextAddress = !handshakeDone && (last.outcome == FetchOutcome::ConnectFailed ||
                                                last.outcome == FetchOutcome::Timeout ||
                                                last.outcome == FetchOutcome::TlsFailed ||
                                                last.outcome == FetchOutcome::ConnectionDropped);
    if (!nextAddress || SteadyClock::now() >= deadline) break;
  }
  return finish(last.outcome, last.detail);
}

}  // namespace mh::mta_sts
