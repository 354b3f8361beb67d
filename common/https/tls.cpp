// TLS context and per-connection setup for the CRM client.
#include "common/https/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <stdexcept>

#include <boost/asio/ssl/host_name_verification.hpp>

#include "common/https/allowlist.hpp"

namespace calllog::https {
namespace ssl = boost::asio::ssl;

ssl::context make_client_tls_context(const std::string& ca_file) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx.set_default_verify_paths(ec);  // system store; a missing one is not fatal
  if (!ca_file.empty()) {
    ctx.load_verify_file(ca_file, ec);
    if (ec) throw std::runtime_error("cannot load CA file " + ca_file + ": " + ec.message());
  }
  ctx.set_verify_mode(ssl::verify_peer);
  return ctx;
}

bool prepare_tls_stream(TlsStream& stream, const std::string& host) {
  if (!is_ip_literal(host) && !SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()))
    return false;
  // Host-name check by Asio's RFC 6125 verifier. When it refuses a certificate whose chain was
  // fine, record X509_V_ERR_HOSTNAME_MISMATCH so the failure reads as what it is.
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback(
      [check = ssl::host_name_verification(host)](bool preverified, ssl::verify_context& vc) {
        bool ok = check(preverified, vc);
        X509_STORE_CTX* ctx = vc.native_handle();
        if (!ok && preverified && X509_STORE_CTX_get_error(ctx) == X509_V_OK)
          X509_STORE_CTX_set_error(ctx, X509_V_ERR_HOSTNAME_MISMATCH);
        return ok;
      });
  return true;
}

std::optional<std::string> verify_failure(TlsStream& stream) {
  long result = SSL_get_verify_result(stream.native_handle());
  if (result == X509_V_OK) return std::nullopt;
  return std::string(X509_verify_cert_error_string(result));
}

}  // namespace calllog::https
