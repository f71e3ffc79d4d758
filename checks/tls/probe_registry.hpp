// Politeness across a whole audit (issue 3 item 2): at most one connection at a time to any MX
// address, and one STARTTLS probe per (address, port) per run, shared by every domain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "checks/tls/starttls_probe.hpp"

namespace mh::tls {

// The exclusive right to connect to one address; released on destruction. Movable.
class AddressLease {
 public:
  AddressLease(std::shared_ptr<std::mutex> mutex);
  AddressLease(AddressLease&&) noexcept = default;
  AddressLease& operator=(AddressLease&&) noexcept = default;

 private:
  std::shared_ptr<std::mutex> mutex_;  // keeps the mutex alive while locked
  std::unique_lock<std::mutex> lock_;
};

// One mutex per address: who may connect to it now. One set per audit run, shared by the
// registries of its first looks and of its re-checks, so no address is contacted twice at once.
// Thread-safe.
class AddressLocks {
 public:
  // Waits for, then holds, the exclusive right to connect to `address` (any form).
  AddressLease lease(std::string_view address);

 private:
  std::mutex mu_;  // guards mutexes_
  std::map<std::string, std::shared_ptr<std::mutex>> mutexes_;
};

// One registry per audit run, shared by all worker threads.
//
// Thread safety: every member function may be called from any thread. A probe of an address
// holds that address's lease, so a second thread asking for the same (address, port) waits and
// then gets the cached result; probes of different addresses run in parallel.
//
// Addresses are compared in canonical form ("0:0::1" is "::1"). The cache is keyed by
// (address, port) only, as the issue asks: the result's target.host (the SNI sent) is that of
// the first caller, and a server that picks its certificate by SNI is seen through that name.
// Every outcome is cached for the run, "could not test" included: retrying is a later run's job
// (with backoff), not a reason to knock again within the same audit.
class ProbeRegistry {
 public:
  using ProbeFn = std::function<ProbeResult(const SmtpTarget&)>;

  // A registry with locks of its own, or sharing `locks` with another registry of the same run
  // (a fresh cache for re-checks, the same one-connection-per-address rule).
  explicit ProbeRegistry(std::shared_ptr<AddressLocks> locks = std::make_shared<AddressLocks>());

  // The result for target's (address, port): from the cache, or by running `probe` under the
  // address's lease.
  ProbeResult probeOnce(const SmtpTarget& target, const ProbeFn& probe);
  ProbeResult probeOnce(const StartTlsProber& prober, const SmtpTarget& target);

  // Waits for, then holds, the exclusive right to connect to `address` (for connections other
  // than the cached STARTTLS probe, e.g. protocol enumeration).
  AddressLease lease(std::string_view address);
  const std::shared_ptr<AddressLocks>& addressLocks() const { return locks_; }

  std::optional<ProbeResult> cached(std::string_view address, std::uint16_t port) const;
  // How many probes actually ran (cache misses).
  std::size_t probesRun() const;

 private:
  std::shared_ptr<AddressLocks> locks_;
  mutable std::mutex mu_;  // guards cache_ and probes_run_
  std::map<std::pair<std::string, std::uint16_t>, ProbeResult> cache_;
  std::size_t probes_run_ = 0;
};

// The inet_ntop form of an address literal ("0:0::1" -> "::1"); anything else unchanged.
std::string canonicalAddress(std::string_view address);

}  // namespace mh::tls
