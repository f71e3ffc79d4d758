// Politeness across a whole audit (issue 3 item 2): at most one connection at a time to any MX
// address, and one STARTTLS probe per (address, port) per run, shared by every domain.
#include "checks/tls/probe_registry.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>

namespace mh::tls {

std::string canonicalAddress(std::string_view address) {
  const std::string text(address);
  char out[INET6_ADDRSTRLEN] = {};
  in_addr a4{};
  if (::inet_pton(AF_INET, text.c_str(), &a4) == 1 &&
      ::inet_ntop(AF_INET, &a4, out, sizeof out) != nullptr)
    return out;
  in6_addr a6{};
  if (::inet_pton(AF_INET6, text.c_str(), &a6) == 1 &&
      ::inet_ntop(AF_INET6, &a6, out, sizeof out) != nullptr)
    return out;
  return text;
}

AddressLease::AddressLease(std::shared_ptr<std::mutex> mutex)
    : mutex_(std::move(mutex)), lock_(*mutex_) {}

AddressLease AddressLocks::lease(std::string_view address) {
  const std::string canonical = canonicalAddress(address);
  std::shared_ptr<std::mutex> m;
  {
    const std::lock_guard lock(mu_);
    auto& slot = mutexes_[canonical];
    if (!slot) slot = std::make_shared<std::mutex>();
    m = slot;
  }
  return AddressLease(std::move(m));  // waits outside mu_
}

ProbeRegistry::ProbeRegistry(std::shared_ptr<AddressLocks> locks) : locks_(std::move(locks)) {}

AddressLease ProbeRegistry::lease(std::string_view address) {
  return locks_->lease(address);
}

ProbeResult ProbeRegistry::probeOnce(const SmtpTarget& target, const ProbeFn& probe) {
  const std::string address = canonicalAddress(target.address);
  const auto key = std::make_pair(address, target.port);
  const AddressLease held = lease(address);
  {
    const std::lock_guard lock(mu_);
    if (const auto it = cache_.find(key); it != cache_.end()) {
      smtpLogger()->debug("probe cached address={} port={} host={}", address, target.port,
                          target.host);
      return it->second;
    }
    ++probes_run_;
  }
  ProbeResult r = probe(target);
  const std::lock_guard lock(mu_);
  return cache_.emplace(key, std::move(r)).first->second;
}

ProbeResult ProbeRegistry::probeOnce(const StartTlsProber& prober, const SmtpTarget& target) {
  return probeOnce(target, [&prober](const SmtpTarget& t) { return prober.probe(t); });
}

std::optional<ProbeResult> ProbeRegistry::cached(std::string_view address,
                                                 std::uint16_t port) const {
  const std::lock_guard lock(mu_);
  const auto it = cache_.find(std::make_pair(canonicalAddress(address), port));
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

std::size_t ProbeRegistry::probesRun() const {
  const std::lock_guard lock(mu_);
  return probes_run_;
}

}  // namespace mh::tls
