// The host allow-list (SSRF defence) and the client's URL parser.
#define BOOST_TEST_MODULE allowlist
#include <boost/test/unit_test.hpp>

#include "common/https/allowlist.hpp"
#include "common/https/https_client.hpp"

using calllog::https::AllowList;
using calllog::https::is_ip_literal;
using calllog::https::parse_url;

BOOST_AUTO_TEST_SUITE(allow_list)

BOOST_AUTO_TEST_CASE(wildcard_matches_subdomains_on_any_port_only) {
  AllowList a({"*.pipedrive.com"});
  BOOST_TEST(a.allows("acme.pipedrive.com", 443));
  BOOST_TEST(a.allows("acme.pipedrive.com", 8443));
  BOOST_TEST(a.allows("a.b.pipedrive.com", 443));
  BOOST_TEST(!a.allows("pipedrive.com", 443));  // subdomains only
  BOOST_TEST(!a.allows("acme.pipedrive.com.evil.invalid", 443));
  BOOST_TEST(!a.allows("evilpipedrive.com", 443));
  BOOST_TEST(!a.allows("acme.pipedrive.co", 443));
  BOOST_TEST(!a.allows("evil.invalid", 443));
}

BOOST_AUTO_TEST_CASE(case_and_trailing_dot_are_normalised) {
  AllowList a({"*.Pipedrive.COM", "App.Clio.com."});
  BOOST_TEST(a.allows("ACME.pipedrive.com", 443));
  BOOST_TEST(a.allows("acme.pipedrive.com.", 443));
  BOOST_TEST(a.allows("app.clio.com", 443));
  BOOST_TEST(a.allows("APP.CLIO.COM.", 1));
  BOOST_TEST(!a.allows("eu.app.clio.com", 443));  // exact name pattern: no subdomains
}

BOOST_AUTO_TEST_CASE(port_patterns) {
  AllowList a({"crm.example.test:8443", "*.example.org:443"});
  BOOST_TEST(a.allows("crm.example.test", 8443));
  BOOST_TEST(!a.allows("crm.example.test", 443));
  BOOST_TEST(a.allows("x.example.org", 443));
  BOOST_TEST(!a.allows("x.example.org", 444));
}

BOOST_AUTO_TEST_CASE(ip_literals_in_every_spelling_are_refused_by_name_patterns) {
  AllowList a({"*.pipedrive.com", "localhost.pipedrive.com", "*.1", "*.0.0.1"});
  for (const char* h : {"127.0.0.1", "127.0.0.2", "127.1", "2130706433", "0x7f000001",
                        "0x7f.1", "0177.0.0.1", "017700000001", "::1", "[::1]", "::ffff:127.0.0.1",
                        "169.254.169.254", "fe80::1%eth0", "127.0.0.1."})
    BOOST_TEST(!a.allows(h, 443), h);
}

BOOST_AUTO_TEST_CASE(ip_literal_allowed_only_by_the_same_literal) {
  AllowList a({"127.0.0.1", "[::1]:8443"});
  BOOST_TEST(a.allows("127.0.0.1", 1234));
  BOOST_TEST(!a.allows("127.1", 1234));
  BOOST_TEST(!a.allows("2130706433", 1234));
  BOOST_TEST(a.allows("::1", 8443));
  BOOST_TEST(a.allows("[::1]", 8443));
  BOOST_TEST(!a.allows("::1", 443));
  BOOST_TEST(!a.allows("127.0.0.2", 1234));
}

BOOST_AUTO_TEST_CASE(localhost_and_odd_names_need_an_explicit_pattern) {
  AllowList none;
  BOOST_TEST(!none.allows("localhost", 443));
  AllowList a({"*.pipedrive.com"});
  BOOST_TEST(!a.allows("localhost", 443));
  BOOST_TEST(!a.allows("", 443));
  BOOST_TEST(!a.allows("acme.pipedrive.com/x", 443));
  BOOST_TEST(!a.allows("user@acme.pipedrive.com", 443));
  BOOST_TEST(!a.allows("acme.pipedrive.com ", 443));
  AllowList l({"localhost:9000"});
  BOOST_TEST(l.allows("localhost", 9000));
  BOOST_TEST(!l.allows("localhost", 9001));
}

BOOST_AUTO_TEST_CASE(malformed_patterns_match_nothing) {
  AllowList a({"acme.pipedrive.com:0", "acme.pipedrive.com:99999", "acme.pipedrive.com:x", ":443",
               "[::1"});
  BOOST_TEST(!a.allows("acme.pipedrive.com", 443));
  BOOST_TEST(!a.allows("::1", 443));
}

BOOST_AUTO_TEST_CASE(ip_literal_detection) {
  for (const char* h : {"127.0.0.1", "127.1", "2130706433", "0x7f.1", "0177.0.0.1", "::1", "[::1]",
                        "fe80::1%eth0", "10.0.0.1."})
    BOOST_TEST(is_ip_literal(h), h);
  for (const char* h : {"acme.pipedrive.com", "localhost", "1234567.app.netsuite.com", "a1", "0x7g"})
    BOOST_TEST(!is_ip_literal(h), h);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(url_parsing)

BOOST_AUTO_TEST_CASE(host_port_and_target) {
  auto u = parse_url("https://ACME.pipedrive.com:8443/api/v2/persons/1?x=a b");
  BOOST_TEST_REQUIRE(u.has_value());
  BOOST_TEST(u->host == "acme.pipedrive.com");
  BOOST_TEST(u->port == 8443);
  BOOST_TEST(u->explicit_port);
  BOOST_TEST(u->target == "/api/v2/persons/1?x=a%20b");
  BOOST_TEST(u->host_header() == "acme.pipedrive.com:8443");

  auto d = parse_url("https://app.clio.com/api/v4/activities.json");
  BOOST_TEST_REQUIRE(d.has_value());
  BOOST_TEST(d->port == 443);
  BOOST_TEST(!d->explicit_port);
  BOOST_TEST(d->host_header() == "app.clio.com");

  auto q = parse_url("https://h.example.test?script=1");
  BOOST_TEST_REQUIRE(q.has_value());
  BOOST_TEST(q->target == "/?script=1");
  BOOST_TEST(parse_url("https://h.example.test")->target == "/");

  auto v6 = parse_url("https://[::1]:9000/x");
  BOOST_TEST_REQUIRE(v6.has_value());
  BOOST_TEST(v6->host == "::1");
  BOOST_TEST(v6->host_header() == "[::1]:9000");
}

BOOST_AUTO_TEST_CASE(rejects_what_is_not_plain_https) {
  for (const char* u : {"http://acme.pipedrive.com/", "ftp://x/", "https://", "https:///x",
                        "https://user@acme.pipedrive.com/", "https://acme.pipedrive.com:0/",
                        "https://acme.pipedrive.com:70000/", "https://acme.pipedrive.com:x/",
                        "https://[::1/", "https://acme.pipedrive.com/a\r\nb"})
    BOOST_TEST(!parse_url(u).has_value(), u);
}

BOOST_AUTO_TEST_SUITE_END()
