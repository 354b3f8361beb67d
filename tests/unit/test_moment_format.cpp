// moment.js format tokens, utcOffset rules, ISO parsing and IANA zones (common/time).
#define BOOST_TEST_MODULE test_moment_format
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "common/time/moment.hpp"
#include "common/time/tz_database.hpp"

using namespace calllog::timeutil;

namespace {
const Moment kSample = moment_from_string("2018-09-11T13:24:09.053Z");  // a Tuesday
std::string fmt(const Moment& m, std::string_view f) { return format_moment(m, f); }
Moment at_offset_string(std::string_view iso, std::string_view off) {
  Moment m = moment_from_string(iso);
  utc_offset_string(m, off);
  return m;
}
Moment at_offset_number(std::string_view iso, double off) {
  Moment m = moment_from_string(iso);
  utc_offset_number(m, off);
  return m;
}
}  // namespace

BOOST_AUTO_TEST_CASE(date_tokens) {
  BOOST_TEST(fmt(kSample, "YYYY YY Y") == "2018 18 2018");
  BOOST_TEST(fmt(kSample, "M MM MMM MMMM Mo") == "9 09 Sep September 9th");
  BOOST_TEST(fmt(kSample, "D DD Do DDD DDDD DDDo") == "11 11 11th 254 254 254th");
  BOOST_TEST(fmt(kSample, "d do dd ddd dddd e E") == "2 2nd Tu Tue Tuesday 2 2");
  BOOST_TEST(fmt(kSample, "Q Qo") == "3 3rd");
  BOOST_TEST(fmt(kSample, "W WW Wo GGGG GG w ww gggg") == "37 37 37th 2018 18 37 37 2018");
  BOOST_TEST(fmt(kSample, "N NNNN y yyyy") == "AD Anno Domini 2018 2018");
}

BOOST_AUTO_TEST_CASE(time_tokens) {
  BOOST_TEST(fmt(kSample, "H HH h hh k kk m mm s ss") == "13 13 1 01 13 13 24 24 9 09");
  BOOST_TEST(fmt(kSample, "S SS SSS SSSS A a") == "0 05 053 0530 PM pm");
  BOOST_TEST(fmt(kSample, "X x") == "1536672249 1536672249053");
  BOOST_TEST(fmt(kSample, "hmm Hmmss") == "124 132409");
  const Moment midnight = moment_from_string("2024-01-01T00:05:00Z");
  BOOST_TEST(fmt(midnight, "h hh k A a") == "12 12 24 AM am");
  const Moment noon = moment_from_string("2024-01-01T12:00:00Z");
  BOOST_TEST(fmt(noon, "hh:mm A") == "12:00 PM");
}

BOOST_AUTO_TEST_CASE(long_date_formats_english) {
  BOOST_TEST(fmt(kSample, "LT") == "1:24 PM");
  BOOST_TEST(fmt(kSample, "LTS") == "1:24:09 PM");
  BOOST_TEST(fmt(kSample, "L") == "09/11/2018");
  BOOST_TEST(fmt(kSample, "LL") == "September 11, 2018");
  BOOST_TEST(fmt(kSample, "LLL") == "September 11, 2018 1:24 PM");
  BOOST_TEST(fmt(kSample, "LLLL") == "Tuesday, September 11, 2018 1:24 PM");
  BOOST_TEST(fmt(kSample, "l ll") == "9/11/2018 Sep 11, 2018");
  BOOST_TEST(fmt(kSample, "lll") == "Sep 11, 2018 1:24 PM");
  BOOST_TEST(fmt(kSample, "llll") == "Tue, Sep 11, 2018 1:24 PM");
  BOOST_TEST(fmt(kSample, "L LTS") == "09/11/2018 1:24:09 PM");
}

BOOST_AUTO_TEST_CASE(escapes_and_literals) {
  BOOST_TEST(fmt(kSample, "[Today is] dddd") == "Today is Tuesday");
  BOOST_TEST(fmt(kSample, "[LT] LT") == "LT 1:24 PM");
  BOOST_TEST(fmt(kSample, "\\YYYY YYYY") == "YYYY 2018");
  BOOST_TEST(fmt(kSample, "YYYY [Q]Q") == "2018 Q3");
  BOOST_TEST(fmt(kSample, "k:mm [hrs] DD/MM") == "13:24 hrs 11/09");
  BOOST_TEST(fmt(kSample, "[a] b] YYYY") == "a] b 2018");  // /\[[^\[]*\]/ is greedy up to the last ]
  BOOST_TEST(fmt(kSample, "HH\nmm") == "1324");              // `.` skips line terminators
  BOOST_TEST(fmt(kSample, "YYYY年MM月") == "2018年09月");
  BOOST_TEST(fmt(kSample, "YYYY-MM-DDTHH:mm:ssZ") == "2018-09-11T13:24:09+00:00");
}

BOOST_AUTO_TEST_CASE(invalid_dates) {
  BOOST_TEST(fmt(moment_from_string("not a date"), "YYYY") == "Invalid date");
  BOOST_TEST(fmt(moment_from_string("1536672249000"), "YYYY") == "Invalid date");
  BOOST_TEST(fmt(moment_from_string("2023-02-29T10:00:00Z"), "YYYY") == "Invalid date");
  BOOST_TEST(fmt(moment_from_string("2024-01-01T25:00:00Z"), "YYYY") == "Invalid date");
  BOOST_TEST(fmt(moment_from_epoch_ms(1536672249000), "YYYY-MM-DD HH:mm:ss") == "2018-09-11 13:24:09");
}

BOOST_AUTO_TEST_CASE(iso_forms) {
  BOOST_TEST(fmt(moment_from_string("2018-09-11"), "YYYY-MM-DD HH:mm") == "2018-09-11 00:00");
  BOOST_TEST(fmt(moment_from_string("2018-09-11T13:24"), "HH:mm:ss") == "13:24:00");
  BOOST_TEST(fmt(moment_from_string("2018-09-11 13:24:09+05:30"), "HH:mm") == "07:54");
  BOOST_TEST(fmt(moment_from_string("2018-09-11T13:24:09-0800"), "HH:mm") == "21:24");
  BOOST_TEST(fmt(moment_from_string("2018-09-11T24:00:00Z"), "YYYY-MM-DD HH:mm") == "2018-09-12 00:00");
  BOOST_TEST(fmt(moment_from_string("2018-09-11T13:24:09.9999Z"), "SSS") == "999");
}

BOOST_AUTO_TEST_CASE(leap_day_year_end_and_week_years) {
  const Moment leap = moment_from_string("2024-02-29T23:30:00Z");
  BOOST_TEST(fmt(leap, "DDDD dddd Do MMMM") == "060 Thursday 29th February");
  BOOST_TEST(fmt(at_offset_string("2024-02-29T23:30:00Z", "+05:45"), "YYYY-MM-DD HH:mm") == "2024-03-01 05:15");
  BOOST_TEST(fmt(moment_from_string("2024-12-30T12:00:00Z"), "GGGG-[W]WW-E") == "2025-W01-1");
  BOOST_TEST(fmt(moment_from_string("2021-01-01T12:00:00Z"), "GGGG-[W]WW-E") == "2020-W53-5");
  BOOST_TEST(fmt(at_offset_string("2026-12-31T21:59:38Z", "+14:00"), "YYYY-MM-DD HH:mm:ss") == "2027-01-01 11:59:38");
}

BOOST_AUTO_TEST_CASE(utc_offset_strings) {
  const char* iso = "2018-09-11T13:24:09Z";
  BOOST_TEST(fmt(at_offset_string(iso, "+00:00"), "HH:mm Z z") == "13:24 +00:00 UTC");
  BOOST_TEST(fmt(at_offset_string(iso, "-00:30"), "HH:mm Z ZZ") == "12:54 -00:30 -0030");
  BOOST_TEST(fmt(at_offset_string(iso, "+05:45"), "HH:mm Z") == "19:09 +05:45");
  BOOST_TEST(fmt(at_offset_string(iso, "+14:00"), "YYYY-MM-DD HH:mm Z") == "2018-09-12 03:24 +14:00");
  BOOST_TEST(fmt(at_offset_string(iso, "-08:00"), "YYYY-MM-DD hh:mm:ss A") == "2018-09-11 05:24:09 AM");
  Moment m = moment_from_string(iso);
  BOOST_TEST(!utc_offset_string(m, "+5:30"));  // does not parse: ignored
  BOOST_TEST(fmt(m, "HH:mm Z [z=]z") == "13:24 +00:00 z=");
  BOOST_TEST(offset_from_string("+0530").value() == 330);
  BOOST_TEST(offset_from_string("Z").value() == 0);
  BOOST_TEST(!offset_from_string("abc").has_value());
}

BOOST_AUTO_TEST_CASE(utc_offset_numbers_hours_below_16_else_minutes) {
  const char* iso = "2018-09-11T13:24:09Z";
  BOOST_TEST(fmt(at_offset_number(iso, 330), "HH:mm Z") == "18:54 +05:30");
  BOOST_TEST(fmt(at_offset_number(iso, 5.5), "HH:mm Z") == "18:54 +05:30");
  BOOST_TEST(fmt(at_offset_number(iso, -8), "HH:mm Z") == "05:24 -08:00");
  BOOST_TEST(fmt(at_offset_number(iso, 15), "Z") == "+15:00");
  BOOST_TEST(fmt(at_offset_number(iso, 16), "Z") == "+00:16");
  BOOST_TEST(fmt(at_offset_number(iso, -15), "Z") == "-15:00");
  BOOST_TEST(fmt(at_offset_number(iso, 530), "Z") == "+08:50");
  BOOST_TEST(fmt(at_offset_number(iso, 0), "HH:mm Z z") == "13:24 +00:00 UTC");
  BOOST_TEST(fmt(at_offset_number(iso, std::nan("")), "HH:mm Z z") == "13:24 +00:00 UTC");
}

BOOST_AUTO_TEST_CASE(iana_zones_across_dst) {
  const TimeZone* ny = load_time_zone("America/New_York");
  BOOST_REQUIRE(ny != nullptr);
  BOOST_TEST(load_time_zone("America/New_York") == ny);  // cached
  auto in_ny = [&](const char* iso) { return fmt(to_zone(moment_from_string(iso), *ny), "YYYY-MM-DD hh:mm:ss A z"); };
  BOOST_TEST(in_ny("2024-03-10T06:59:59Z") == "2024-03-10 01:59:59 AM EST");
  BOOST_TEST(in_ny("2024-03-10T07:00:00Z") == "2024-03-10 03:00:00 AM EDT");
  BOOST_TEST(in_ny("2024-11-03T05:30:00Z") == "2024-11-03 01:30:00 AM EDT");
  BOOST_TEST(in_ny("2024-11-03T06:30:00Z") == "2024-11-03 01:30:00 AM EST");
  const TimeZone* chatham = load_time_zone("Pacific/Chatham");
  BOOST_REQUIRE(chatham != nullptr);
  BOOST_TEST(fmt(to_zone(moment_from_string("2025-01-15T00:00:00Z"), *chatham), "HH:mm Z") == "13:45 +13:45");
  BOOST_TEST(load_time_zone("No/Such_Zone") == nullptr);
  BOOST_TEST(load_time_zone("../etc/passwd") == nullptr);
}
