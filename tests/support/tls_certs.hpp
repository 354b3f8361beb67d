#pragma once
// Test PKI made at test time with the openssl CLI: a CA, server certificates it signs for
// given host names (SANs), an expired one, and a self-signed one the CA does not know.
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace calllog::test {

struct CertFiles {
  std::string cert;  // PEM certificate
  std::string key;   // PEM private key
};

class TestPki {
 public:
  TestPki();  // creates the CA (EC P-256) in its own TempDir; throws on openssl failure
  const std::string& ca_file() const { return ca_cert_; }

  // Signed by the CA, valid now, SANs = hosts (IP literals become IP: entries).
  CertFiles server_cert(const std::vector<std::string>& hosts);
  // Signed by the CA, valid only on 2020-01-01.
  CertFiles expired_cert(const std::vector<std::string>& hosts);
  // Self-signed (its own CA), not trusted by ca_file().
  CertFiles self_signed_cert(const std::vector<std::string>& hosts);

 private:
  CertFiles sign(const std::vector<std::string>& hosts, const std::vector<std::string>& validity);
  std::string next_name();

  TempDir dir_;
  std::string ca_cert_, ca_key_;
  int serial_ = 0;
};

}  // namespace calllog::test
