// Fuzz target: the ServerHello/Alert/SSLv2 reply parser on arbitrary bytes and all their prefixes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "checks/tls/cipher_suites.hpp"
#include "checks/tls/server_hello.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 70000) return 0;
  const std::span<const std::uint8_t> input(data, size);
  const auto h = mh::tls::parseServerHello(input);
  if (h.accepted()) {
    (void)mh::tls::findCipherSuite(h.cipherSuite);
    for (auto spec : h.sslv2CipherSpecs) (void)mh::tls::findSslv2CipherKind(spec);
    (void)h.extension(mh::tls::kExtSupportedVersions);
  }
  (void)mh::tls::alertName(h.alertDescription);
  (void)mh::tls::versionName(h.version);
  // The prober parses every prefix it receives; an Incomplete answer must stay consistent.
  if (size <= 512)
    for (std::size_t n = 0; n < size; ++n) {
      const auto p = mh::tls::parseServerHello(input.first(n));
      if (p.outcome == mh::tls::HelloOutcome::Incomplete && p.need == 0) __builtin_trap();
    }
  return 0;
}
