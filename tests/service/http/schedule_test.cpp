// Tests of service/http/schedule.cpp: the schedule syntax, offsets, delays and the slot
// arithmetic (fixed offsets, month and year boundaries, late wake-ups), as tables.
#include "service/http/schedule.hpp"

#include <gtest/gtest.h>

#include "tests/service/http/manual_clock.hpp"

namespace mh::service::http {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::utc;

Schedule daily(int hour, int minute, minutes offset = kVietnamUtcOffset) {
  Schedule s;
  s.kind = Schedule::Kind::Daily;
  s.time_of_day = hours(hour) + minutes(minute);
  s.utc_offset = offset;
  return s;
}

Schedule every(minutes interval, minutes offset = kVietnamUtcOffset) {
  Schedule s;
  s.kind = Schedule::Kind::Every;
  s.interval = interval;
  s.utc_offset = offset;
  return s;
}

TEST(Schedule, ParsesWhatTheConfigurationAccepts) {
  struct Case {
    const char* text;
    Schedule expected;
    const char* described;
  };
  const Case cases[] = {
      {"off", Schedule{}, "off"},
      {"", Schedule{}, "off"},
      {"  OFF ", Schedule{}, "off"},
      {"daily 02:00", daily(2, 0), "daily 02:00"},
      {"Daily  2:30", daily(2, 30), "daily 02:30"},
      {"daily 23:59", daily(23, 59), "daily 23:59"},
      {"daily 00:00", daily(0, 0), "daily 00:00"},
      {"every 6 hours", every(hours(6)), "every 6 hours"},
      {"every 1 hour", every(hours(1)), "every 1 hour"},
      {"every 2h", every(hours(2)), "every 2 hours"},
      {"every 90 minutes", every(minutes(90)), "every 90 minutes"},
      {"EVERY 15 MIN", every(minutes(15)), "every 15 minutes"},
      {"every 1 minute", every(minutes(1)), "every 1 minute"},
      {"every 120 seconds", every(minutes(2)), "every 2 minutes"},
      {"every 7 days", every(hours(7 * 24)), "every 168 hours"},
  };
  for (const auto& c : cases) {
    std::string error;
    auto parsed = parseSchedule(c.text, error);
    ASSERT_TRUE(parsed) << c.text << ": " << error;
    EXPECT_EQ(*parsed, c.expected) << c.text;
    EXPECT_EQ(describe(*parsed), c.described) << c.text;
    // What describe() writes reads back the same.
    auto again = parseSchedule(describe(*parsed), error);
    ASSERT_TRUE(again) << c.described;
    EXPECT_EQ(*again, *parsed) << c.described;
  }
}

TEST(Schedule, RejectsWhatItCannotRead) {
  for (const char* text : {"daily",
                           "daily 24:00",
                           "daily 02:60",
                           "daily 2:5",
                           "daily 02:00 extra",
                           "daily -1:00",
                           "every",
                           "every hours",
                           "every 0 hours",
                           "every 8 days",
                           "every 30 seconds",
                           "every 90s",
                           "every 1.5 hours",
                           "every -1 hours",
                           "every 6 fortnights",
                           "hourly",
                           "weekly",
                           "on",
                           "02:00",
                           "every6hours"}) {
    std::string error;
    EXPECT_FALSE(parseSchedule(text, error)) << text;
    EXPECT_NE(error.find("daily HH:MM"), std::string::npos) << text;
  }
}

TEST(Schedule, ParsesUtcOffsets) {
  struct Case {
    const char* text;
    int minutes;
  };
  const Case good[] = {{"+07:00", 420},  {"+7", 420},      {"UTC+7", 420}, {"-05:30", -330},
                       {"Z", 0},         {"UTC", 0},       {"+00:00", 0},  {"+14:00", 840},
                       {"-12:00", -720}, {" +05:45 ", 345}};
  for (const auto& c : good) {
    std::string error;
    auto offset = parseUtcOffset(c.text, error);
    ASSERT_TRUE(offset) << c.text << ": " << error;
    EXPECT_EQ(offset->count(), c.minutes) << c.text;
  }
  for (const char* text : {"07:00", "+7:5", "+14:30", "+15", "+07:60", "Asia/Ho_Chi_Minh", "+"}) {
    std::string error;
    EXPECT_FALSE(parseUtcOffset(text, error)) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
  EXPECT_EQ(formatUtcOffset(minutes(420)), "+07:00");
  EXPECT_EQ(formatUtcOffset(minutes(-330)), "-05:30");
  EXPECT_EQ(formatUtcOffset(minutes(0)), "+00:00");
}

TEST(Schedule, ParsesDelays) {
  struct Case {
    const char* text;
    long seconds;
  };
  const Case good[] = {{"30 minutes", 1800}, {"30 min", 1800},      {"30m", 1800},
                       {"2 hours", 7200},    {"2h", 7200},          {"90 seconds", 90},
                       {"90s", 90},          {"1 day", 86400},      {"7 days", 7 * 86400},
                       {"1 second", 1},      {" 45 Minutes ", 2700}};
  for (const auto& c : good) {
    std::string error;
    auto delay = parseDelay(c.text, error);
    ASSERT_TRUE(delay) << c.text << ": " << error;
    EXPECT_EQ(delay->count(), c.seconds) << c.text;
  }
  for (const char* text : {"30", "", "0 minutes", "8 days", "-5m", "half an hour", "5 weeks",
                           "99999999999999999999 seconds"}) {
    std::string error;
    EXPECT_FALSE(parseDelay(text, error)) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
}

TEST(Schedule, ReadsAndWritesUtcTimes) {
  EXPECT_EQ(formatUtc(utc("2026-03-01T19:00:00Z")), "2026-03-01T19:00:00Z");
  EXPECT_EQ(formatUtc(utc("2026-03-01T19:00:00.999Z")), "2026-03-01T19:00:00Z");
  EXPECT_EQ(*parseUtc("2026-03-01T19:00:00.250Z") - *parseUtc("2026-03-01T19:00:00Z"),
            std::chrono::milliseconds(250));
  EXPECT_EQ(parseUtc("1970-01-01T00:00:00Z")->time_since_epoch().count(), 0);
  for (const char* text : {"2026-02-29T00:00:00Z", "2026-03-01 19:00:00", "2026-03-01T19:00:00",
                           "2026-03-01T19:00:00+07:00", "2026-13-01T00:00:00Z", "yesterday", ""})
    EXPECT_FALSE(parseUtc(text)) << text;
}

struct SlotCase {
  const char* why;
  Schedule schedule;
  const char* now;
  const char* next;  // slotAfter(now)
};

TEST(Schedule, NextSlotTable) {
  const minutes utc0{0};
  const minutes newYork{-5 * 60};  // fixed: the schedule never follows daylight saving
  const SlotCase cases[] = {
      {"before today's slot (local 01:00, Vietnam)", daily(2, 0), "2026-03-01T18:00:00Z",
       "2026-03-01T19:00:00Z"},
      {"exactly at a slot: the next one, strictly after", daily(2, 0), "2026-03-01T19:00:00Z",
       "2026-03-02T19:00:00Z"},
      {"just after a slot", daily(2, 0), "2026-03-01T19:00:00.001Z", "2026-03-02T19:00:00Z"},
      {"local midnight is 17:00 UTC the day before", daily(0, 0), "2026-06-15T16:59:59Z",
       "2026-06-15T17:00:00Z"},
      {"month boundary (February 2026 has 28 days)", daily(2, 0), "2026-02-28T20:00:00Z",
       "2026-03-01T19:00:00Z"},
      {"leap day 2028", daily(2, 0), "2028-02-28T20:00:00Z", "2028-02-29T19:00:00Z"},
      {"end of a 30-day month", daily(2, 0), "2026-04-30T19:30:00Z", "2026-05-01T19:00:00Z"},
      {"year boundary, local time already in 2027", daily(2, 0), "2026-12-31T19:30:00Z",
       "2027-01-01T19:00:00Z"},
      {"late evening slot on new year's eve", daily(23, 30), "2026-12-31T16:00:00Z",
       "2026-12-31T16:30:00Z"},
      {"UTC offset 0", daily(2, 0, utc0), "2026-03-29T00:30:00Z", "2026-03-29T02:00:00Z"},
      {"fixed -05:00 before the US DST change", daily(2, 0, newYork), "2026-03-07T08:00:00Z",
       "2026-03-08T07:00:00Z"},
      {"fixed -05:00 after the US DST change: still 07:00 UTC", daily(2, 0, newYork),
       "2026-03-08T08:00:00Z", "2026-03-09T07:00:00Z"},
      {"every 6 hours: 00/06/12/18 local, 11:00 local -> 12:00", every(hours(6)),
       "2026-03-01T04:00:00Z", "2026-03-01T05:00:00Z"},
      {"every 6 hours: 18:00 local -> 00:00 local", every(hours(6)), "2026-03-01T11:00:00Z",
       "2026-03-01T17:00:00Z"},
      {"every 6 hours across the year", every(hours(6)), "2026-12-31T23:59:00Z",
       "2027-01-01T05:00:00Z"},
      {"every 90 minutes from local midnight", every(minutes(90)), "2026-03-01T17:10:00Z",
       "2026-03-01T18:30:00Z"},
      {"every 1 hour in UTC", every(hours(1), utc0), "2026-03-01T10:30:00Z",
       "2026-03-01T11:00:00Z"},
  };
  for (const auto& c : cases) {
    auto next = slotAfter(c.schedule, utc(c.now));
    ASSERT_TRUE(next) << c.why;
    EXPECT_EQ(formatUtc(*next), c.next) << c.why;
    auto latest = slotAtOrBefore(c.schedule, utc(c.now));
    ASSERT_TRUE(latest) << c.why;
    EXPECT_LE(*latest, utc(c.now)) << c.why;
    EXPECT_EQ(*slotAfter(c.schedule, *latest), *next) << c.why;
  }
}

TEST(Schedule, IntervalsThatDoNotDivideADayStayOnOneGrid) {
  const Schedule s = every(hours(7));
  auto t = utc("2026-03-01T00:00:00Z");
  auto slot = *slotAfter(s, t);
  for (int i = 0; i < 10; ++i) {
    auto following = *slotAfter(s, slot);
    EXPECT_EQ(following - slot, hours(7));
    // On the grid of 7 hours from 1970-01-01 00:00 local time.
    EXPECT_EQ((slot + s.utc_offset).time_since_epoch() % hours(7), hours(0));
    slot = following;
  }
}

TEST(Schedule, OffHasNoSlots) {
  EXPECT_FALSE(slotAfter(Schedule{}, utc("2026-03-01T00:00:00Z")));
  EXPECT_FALSE(slotAtOrBefore(Schedule{}, utc("2026-03-01T00:00:00Z")));
  EXPECT_FALSE(nextDue(Schedule{}, utc("2026-03-01T00:00:00Z"), utc("2026-03-01T00:00:00Z")));
}

TEST(Schedule, NextDueAfterAHandledSlot) {
  struct Case {
    const char* why;
    Schedule schedule;
    const char* handled;
    const char* now;
    const char* next;
  };
  const Case cases[] = {
      {"on time: the next day's slot", daily(2, 0), "2026-03-01T19:00:00Z",
       "2026-03-01T19:00:00.200Z", "2026-03-02T19:00:00Z"},
      {"three days late (machine asleep): one run done, then the next slot to come", daily(2, 0),
       "2026-03-01T19:00:00Z", "2026-03-04T22:00:00Z", "2026-03-05T19:00:00Z"},
      {"late past five hourly slots: one run done, then the next hour", every(hours(1)),
       "2026-03-01T11:00:00Z", "2026-03-01T15:10:00Z", "2026-03-01T16:00:00Z"},
      {"late exactly onto the following slot: that slot is taken as handled too", every(hours(1)),
       "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z", "2026-03-01T13:00:00Z"},
      {"clock set back an hour after the slot: the slot is not repeated", daily(2, 0),
       "2026-03-01T19:00:00Z", "2026-03-01T18:00:05Z", "2026-03-02T19:00:00Z"},
  };
  for (const auto& c : cases) {
    auto next = nextDue(c.schedule, utc(c.handled), utc(c.now));
    ASSERT_TRUE(next) << c.why;
    EXPECT_EQ(formatUtc(*next), c.next) << c.why;
    EXPECT_GT(*next, utc(c.now)) << c.why;  // never due at once: no catch-up storm
  }
}

}  // namespace
}  // namespace mh::service::http
