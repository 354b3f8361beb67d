#define BOOST_TEST_MODULE redis_codec
#include <boost/test/unit_test.hpp>

#include "common/redis/resp_codec.hpp"

using calllog::redis::append_command;
using calllog::redis::Reply;
using calllog::redis::ReplyReader;

BOOST_AUTO_TEST_CASE(encodes_argv_with_explicit_lengths) {
  std::string wire;
  BOOST_TEST(append_command({"SET", "k", "v v"}, &wire));
  BOOST_TEST(wire == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv v\r\n");
}

BOOST_AUTO_TEST_CASE(encoding_is_binary_safe) {
  std::string value("a\0b\r\n\xff\xfe%s", 9);
  std::string wire;
  BOOST_TEST(append_command({"SET", "k", value, ""}, &wire));
  std::string expected = "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$9\r\n" + value + "\r\n$0\r\n\r\n";
  BOOST_TEST(wire == expected);
}

BOOST_AUTO_TEST_CASE(appends_several_commands) {
  std::string wire;
  BOOST_TEST(append_command({"PING"}, &wire));
  BOOST_TEST(append_command({"PING"}, &wire));
  BOOST_TEST(wire == "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n");
}

BOOST_AUTO_TEST_CASE(empty_argv_is_refused) {
  std::string wire;
  BOOST_TEST(!append_command({}, &wire));
  BOOST_TEST(wire.empty());
}

BOOST_AUTO_TEST_CASE(parses_every_reply_type_across_split_feeds) {
  using namespace std::string_literals;
  const std::string with_nul =
      "+OK\r\n-ERR bad\r\n:42\r\n$-1\r\n$4\r\nh\0\xffo\r\n"
      "*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+x\r\n*-1\r\n"s;
  ReplyReader reader;
  std::vector<Reply> got;
  for (char c : with_nul) {  // one byte at a time: the parser must keep partial state
    BOOST_TEST_REQUIRE(reader.feed(&c, 1));
    Reply r;
    while (reader.next(&r) == ReplyReader::Status::reply) got.push_back(r);
  }
  BOOST_TEST_REQUIRE(got.size() == 7u);
  BOOST_TEST((got[0].type == Reply::Type::status && got[0].str == "OK"));
  BOOST_TEST((got[1].is_error() && got[1].str == "ERR bad"));
  BOOST_TEST((got[2].type == Reply::Type::integer && got[2].integer == 42));
  BOOST_TEST(got[3].is_nil());
  BOOST_TEST((got[4].type == Reply::Type::string && got[4].str == std::string("h\0\xffo", 4)));
  BOOST_TEST_REQUIRE((got[5].type == Reply::Type::array));
  BOOST_TEST_REQUIRE(got[5].elements.size() == 3u);
  BOOST_TEST(got[5].elements[0].integer == 1);
  BOOST_TEST_REQUIRE(got[5].elements[1].elements.size() == 2u);
  BOOST_TEST(got[5].elements[1].elements[0].str == "a");
  BOOST_TEST(got[5].elements[1].elements[1].is_nil());
  BOOST_TEST(got[5].elements[2].str == "x");
  BOOST_TEST(got[6].is_nil());
}

BOOST_AUTO_TEST_CASE(need_more_until_whole_reply) {
  ReplyReader reader;
  Reply r;
  BOOST_TEST(reader.feed("$5\r\nhel", 7));
  BOOST_TEST((reader.next(&r) == ReplyReader::Status::need_more));
  BOOST_TEST(reader.feed("lo\r\n", 4));
  BOOST_TEST((reader.next(&r) == ReplyReader::Status::reply));
  BOOST_TEST(r.str == "hello");
  BOOST_TEST((reader.next(&r) == ReplyReader::Status::need_more));
}

BOOST_AUTO_TEST_CASE(garbage_is_a_protocol_error) {
  ReplyReader reader;
  Reply r;
  BOOST_TEST(reader.feed("?what\r\n", 7));
  BOOST_TEST((reader.next(&r) == ReplyReader::Status::protocol_error));
  BOOST_TEST(reader.error().find("protocol") != std::string::npos);
}
