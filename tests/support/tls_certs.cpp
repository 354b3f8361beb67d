// Test PKI through the openssl CLI (`openssl ca` makes back-dated, expired certificates).
#include "tests/support/tls_certs.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <stdexcept>

namespace calllog::test {
namespace {

// The openssl binary from PATH (Process::run takes an absolute path).
std::string openssl_path() {
  std::string path = env_or("PATH", "/usr/bin:/bin");
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string candidate = path.substr(start, end - start) + "/openssl";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "/usr/bin/openssl";
}

void openssl(std::vector<std::string> args) {
  static const std::string bin = openssl_path();
  args.insert(args.begin(), bin);
  auto r = run(args, {}, {}, std::chrono::seconds(30));
  if (r.exit_code != 0)
    throw std::runtime_error("openssl " + args[1] + " failed: " + r.err);
}

bool looks_like_ip(const std::string& h) {
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

std::string san_line(const std::vector<std::string>& hosts) {
  std::string san = "subjectAltName = ";
  for (size_t i = 0; i < hosts.size(); ++i)
    san += (i ? "," : "") + std::string(looks_like_ip(hosts[i]) ? "IP:" : "DNS:") + hosts[i];
  return san + "\n";
}

const std::vector<std::string> kNewKey = {"-newkey", "ec", "-pkeyopt",
                                          "ec_paramgen_curve:prime256v1", "-nodes"};

}  // namespace

TestPki::TestPki() {
  ca_cert_ = dir_.file("ca.pem");
  ca_key_ = dir_.file("ca.key");
  std::vector<std::string> args = {"req", "-x509"};
  args.insert(args.end(), kNewKey.begin(), kNewKey.end());
  args.insert(args.end(), {"-keyout", ca_key_, "-out", ca_cert_, "-days", "30", "-subj",
                           "/CN=calllog test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                           "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  openssl(args);
  write_file(dir_.file("index.txt"), "");
  write_file(dir_.file("serial"), "1000\n");
  write_file(dir_.file("ca.cnf"),
             "[ca]\ndefault_ca = d\n[d]\ndatabase = " + dir_.file("index.txt") +
                 "\nnew_certs_dir = " + dir_.path() + "\nserial = " + dir_.file("serial") +
                 "\ndefault_md = sha256\npolicy = p\nunique_subject = no\ncopy_extensions = none\n"
                 "[p]\ncommonName = supplied\n");
}

std::string TestPki::next_name() { return "srv" + std::to_string(++serial_); }

CertFiles TestPki::sign(const std::vector<std::string>& hosts,
                        const std::vector<std::string>& validity) {
  const std::string name = next_name();
  CertFiles out{dir_.file(name + ".pem"), dir_.file(name + ".key")};
  const std::string csr = dir_.file(name + ".csr"), ext = dir_.file(name + ".ext");
  std::vector<std::string> req = {"req"};
  req.insert(req.end(), kNewKey.begin(), kNewKey.end());
  req.insert(req.end(), {"-keyout", out.key, "-out", csr, "-subj", "/CN=" + hosts.at(0)});
  openssl(req);
  write_file(ext, "[ext]\n" + san_line(hosts) +
                      "basicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n"
                      "keyUsage = digitalSignature\n");
  std::vector<std::string> ca = {"ca", "-batch", "-notext", "-config", dir_.file("ca.cnf"),
                                 "-cert", ca_cert_, "-keyfile", ca_key_, "-in", csr, "-out",
                                 out.cert, "-extfile", ext, "-extensions", "ext"};
  ca.insert(ca.end(), validity.begin(), validity.end());
  openssl(ca);
  return out;
}

CertFiles TestPki::server_cert(const std::vector<std::string>& hosts) {
  return sign(hosts, {"-days", "30"});
}

CertFiles TestPki::expired_cert(const std::vector<std::string>& hosts) {
  return sign(hosts, {"-startdate", "20200101000000Z", "-enddate", "20200102000000Z"});
}

CertFiles TestPki::self_signed_cert(const std::vector<std::string>& hosts) {
  const std::string name = next_name();
  CertFiles out{dir_.file(name + ".pem"), dir_.file(name + ".key")};
  std::string san = san_line(hosts);
  san = san.substr(0, san.size() - 1);
  std::string san_arg = san.substr(0, san.find(' ')) + "=" + san.substr(san.find("= ") + 2);
  std::vector<std::string> args = {"req", "-x509"};
  args.insert(args.end(), kNewKey.begin(), kNewKey.end());
  args.insert(args.end(), {"-keyout", out.key, "-out", out.cert, "-days", "30", "-subj",
                           "/CN=" + hosts.at(0), "-addext", san_arg});
  openssl(args);
  return out;
}

}  // namespace calllog::test
