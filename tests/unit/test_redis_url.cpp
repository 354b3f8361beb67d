#define BOOST_TEST_MODULE redis_url
#include <boost/test/unit_test.hpp>

#include "common/redis/redis_client.hpp"

using calllog::redis::parse_redis_url;
using calllog::redis::RedisConfig;

namespace {

RedisConfig ok(std::string_view url) {
  std::string error;
  auto cfg = parse_redis_url(url, &error);
  BOOST_TEST_INFO(url);
  BOOST_TEST_REQUIRE(cfg.has_value(), "unexpected error: " << error);
  BOOST_TEST(error.empty());
  return *cfg;
}

std::string bad(std::string_view url) {
  std::string error;
  auto cfg = parse_redis_url(url, &error);
  BOOST_TEST_INFO(url);
  BOOST_TEST(!cfg.has_value());
  BOOST_TEST(!error.empty());
  BOOST_TEST(error.find('\n') == std::string::npos);
  return error;
}

}  // namespace

BOOST_AUTO_TEST_CASE(defaults_port_6379_db_0_no_auth) {
  auto cfg = ok("redis://localhost");
  BOOST_TEST(cfg.host == "localhost");
  BOOST_TEST(cfg.port == 6379);
  BOOST_TEST(cfg.db == 0);
  BOOST_TEST(cfg.user.empty());
  BOOST_TEST(cfg.password.empty());
  BOOST_TEST(!cfg.tls);
  BOOST_TEST(cfg.redacted_url == "redis://localhost:6379/0");
  BOOST_TEST(ok("redis://127.0.0.1:7000/").port == 7000);
}

BOOST_AUTO_TEST_CASE(host_port_db) {
  auto cfg = ok("redis://10.1.2.3:6380/5");
  BOOST_TEST(cfg.host == "10.1.2.3");
  BOOST_TEST(cfg.port == 6380);
  BOOST_TEST(cfg.db == 5);
}

BOOST_AUTO_TEST_CASE(password_only_forms) {
  auto a = ok("redis://:s3cret@127.0.0.1:6379/0");
  BOOST_TEST(a.user.empty());
  BOOST_TEST(a.password == "s3cret");
  BOOST_TEST(a.redacted_url == "redis://:***@127.0.0.1:6379/0");
  auto b = ok("redis://s3cret@127.0.0.1");
  BOOST_TEST(b.user.empty());
  BOOST_TEST(b.password == "s3cret");
}

BOOST_AUTO_TEST_CASE(user_and_password_percent_decoded_and_redacted) {
  auto cfg = ok("rediss://app%40corp:p%3Ass%40w%2Fd@redis.example.com:6390/2");
  BOOST_TEST(cfg.tls);
  BOOST_TEST(cfg.user == "app@corp");
  BOOST_TEST(cfg.password == "p:ss@w/d");
  BOOST_TEST(cfg.host == "redis.example.com");
  BOOST_TEST(cfg.port == 6390);
  BOOST_TEST(cfg.db == 2);
  BOOST_TEST(cfg.redacted_url == "rediss://app@corp:***@redis.example.com:6390/2");
  BOOST_TEST(cfg.redacted_url.find("p:ss") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(unencoded_at_in_password_uses_last_at) {
  auto cfg = ok("redis://u:a@b@127.0.0.1:6379");
  BOOST_TEST(cfg.user == "u");
  BOOST_TEST(cfg.password == "a@b");
  BOOST_TEST(cfg.host == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(ipv6_literal) {
  auto cfg = ok("redis://[::1]:6400/1");
  BOOST_TEST(cfg.host == "::1");
  BOOST_TEST(cfg.port == 6400);
  BOOST_TEST(cfg.redacted_url == "redis://[::1]:6400/1");
  BOOST_TEST(ok("redis://[::1]").port == 6379);
}

BOOST_AUTO_TEST_CASE(errors_have_one_line_reason) {
  BOOST_TEST(bad("http://localhost").find("scheme") != std::string::npos);
  BOOST_TEST(bad("localhost:6379").find("scheme") != std::string::npos);
  BOOST_TEST(bad("redis://").find("host") != std::string::npos);
  BOOST_TEST(bad("redis://:pw@:6379").find("host") != std::string::npos);
  BOOST_TEST(bad("redis://h:0").find("port") != std::string::npos);
  BOOST_TEST(bad("redis://h:65536").find("port") != std::string::npos);
  BOOST_TEST(bad("redis://h:12ab").find("port") != std::string::npos);
  BOOST_TEST(bad("redis://h:").find("port") != std::string::npos);
  BOOST_TEST(bad("redis://h:6379/x").find("database") != std::string::npos);
  BOOST_TEST(bad("redis://h:6379/-1").find("database") != std::string::npos);
  BOOST_TEST(bad("redis://:pw%zz@h").find("percent") != std::string::npos);
  BOOST_TEST(bad("redis://:pw%4@h").find("percent") != std::string::npos);
  BOOST_TEST(bad("redis://user:@h").find("password") != std::string::npos);
  BOOST_TEST(bad("redis://[::1:6379").find("IPv6") != std::string::npos);
  BOOST_TEST(bad("redis://h/0?timeout=1").find("query") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(error_never_contains_the_password) {
  auto e = bad("redis://:topsecret@h:99999");
  BOOST_TEST(e.find("topsecret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(null_error_pointer_is_allowed) {
  BOOST_TEST(!parse_redis_url("nope", nullptr).has_value());
}
