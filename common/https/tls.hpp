#pragma once
// TLS for the CRM client: a context that trusts the system store plus an optional CA file,
// TLS 1.2 at least, peer verification always on; per-stream SNI and host-name checking; and
// telling a certificate-verification failure apart from other handshake errors.
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace calllog::https {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Throws std::runtime_error when ca_file cannot be loaded (a startup error).
boost::asio::ssl::context make_client_tls_context(const std::string& ca_file);

// Sets SNI (not for IP literals) and verification of `host` (RFC 6125 via
// ssl::host_name_verification); returns false when OpenSSL refuses the SNI name.
bool prepare_tls_stream(TlsStream& stream, const std::string& host);

// After a failed handshake: the certificate-verification error text, when verification failed.
std::optional<std::string> verify_failure(TlsStream& stream);

}  // namespace calllog::https
