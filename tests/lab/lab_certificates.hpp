// Lab server certificates made at run time with the OpenSSL API: a leaf for any MX name, issued by
// the lab CA of tests/checks/tls/lab_smtp_server.hpp (labPki()) or self-signed, with validity
// dates relative to now (so an expired certificate really is expired for the CLI, whose clock
// cannot be injected).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace mh::lab {

struct LabCertificate {
  std::string cert_file;  // PEM
  std::string key_file;   // PEM, unencrypted
};

struct LabCertificateSpec {
  std::string file_name;                       // "<file_name>.pem" / ".key" in the lab PKI folder
  std::string host;                            // CN and the only subjectAltName dNSName
  std::chrono::seconds not_before{-3600};      // relative to now
  std::chrono::seconds not_after{90 * 86400};  // relative to now
  bool self_signed = false;                    // else issued by the lab CA
};

// nullopt when the lab PKI is missing or OpenSSL fails (the reason in `why`).
std::optional<LabCertificate> issueLabCertificate(const LabCertificateSpec& spec, std::string& why);

}  // namespace mh::lab
