// Parsing of schedules, offsets and delays, and the slot arithmetic on a fixed UTC offset.
#include "service/http/schedule.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <vector>

#include "checks/core/text.hpp"

namespace mh::service::http {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr seconds kLongest = days(7);

std::string lowerTrimmed(std::string_view text) { return ascii::lower(ascii::trimWsp(text)); }

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + " ") {
    if (c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

std::optional<long> wholeNumber(std::string_view text) {
  long n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return n;
}

std::optional<seconds> unitLength(std::string_view unit) {
  for (auto u : {"s", "sec", "secs", "second", "seconds"})
    if (unit == u) return seconds(1);
  for (auto u : {"m", "min", "mins", "minute", "minutes"})
    if (unit == u) return minutes(1);
  for (auto u : {"h", "hr", "hrs", "hour", "hours"})
    if (unit == u) return hours(1);
  for (auto u : {"d", "day", "days"})
    if (unit == u) return days(1);
  return std::nullopt;
}

// "30 minutes" or "30m": a whole amount and a unit, at most 7 days.
std::optional<seconds> amountOfTime(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  auto n = wholeNumber(std::string_view(text).substr(0, digits));
  if (!n || *n > kLongest.count()) return std::nullopt;
  std::string unit = text.substr(digits);
  unit.erase(0, unit.find_first_not_of(" \t"));
  auto length = unitLength(unit);
  if (!length || *n * length->count() > kLongest.count()) return std::nullopt;
  return *n * *length;
}

// Floor division for tick counts (the grid also works before 1970, should a test go there).
std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

std::optional<Schedule> parseSchedule(std::string_view text, std::string& error) {
  const std::string lower = lowerTrimmed(text);
  const auto w = words(lower);
  Schedule s;
  if (w.empty() || (w.size() == 1 && w[0] == "off")) return s;
  if (w.size() == 2 && w[0] == "daily") {
    const auto colon = w[1].find(':');
    if (colon != std::string::npos && w[1].size() - colon == 3) {
      auto h = wholeNumber(std::string_view(w[1]).substr(0, colon));
      auto m = wholeNumber(std::string_view(w[1]).substr(colon + 1));
      if (h && m && *h >= 0 && *h <= 23 && *m >= 0 && *m <= 59) {
        s.kind = Schedule::Kind::Daily;
        s.time_of_day = hours(*h) + minutes(*m);
        return s;
      }
    }
  } else if (w.size() >= 2 && w[0] == "every") {
    const std::string amount = lower.substr(lower.find("every") + 5);
    auto interval = amountOfTime(lowerTrimmed(amount));
    if (interval && *interval >= minutes(1) && *interval % minutes(1) == seconds(0)) {
      s.kind = Schedule::Kind::Every;
      s.interval = std::chrono::duration_cast<minutes>(*interval);
      return s;
    }
  }
  error = "give off, daily HH:MM (local time), every N hours or every N minutes (at most 7 days)";
  return std::nullopt;
}

std::optional<minutes> parseUtcOffset(std::string_view text, std::string& error) {
  std::string t = lowerTrimmed(text);
  if (t.rfind("utc", 0) == 0) t = t.substr(3);
  if (t.empty() || t == "z") return minutes(0);
  if (t[0] == '+' || t[0] == '-') {
    const std::string rest = t.substr(1);
    const auto colon = rest.find(':');
    auto h = wholeNumber(std::string_view(rest).substr(0, colon));
    std::optional<long> m = 0;
    if (colon != std::string::npos)
      m = rest.size() - colon == 3 ? wholeNumber(std::string_view(rest).substr(colon + 1))
                                   : std::nullopt;
    if (h && m && *h <= 14 && *m <= 59 && (*h < 14 || *m == 0))
      return (t[0] == '-' ? -1 : 1) * (hours(*h) + minutes(*m));
  }
  error = "give an offset from UTC such as +07:00 (Vietnam), -05:30 or Z";
  return std::nullopt;
}

std::optional<seconds> parseDelay(std::string_view text, std::string& error) {
  auto delay = amountOfTime(lowerTrimmed(text));
  if (delay && *delay >= seconds(1)) return delay;
  error = "give a delay such as 30 minutes, 2 hours or 90 seconds (at most 7 days)";
  return std::nullopt;
}

std::string describe(const Schedule& schedule) {
  char text[48];
  switch (schedule.kind) {
    case Schedule::Kind::Off:
      return "off";
    case Schedule::Kind::Daily:
      std::snprintf(text, sizeof text, "daily %02d:%02d",
                    static_cast<int>(schedule.time_of_day.count() / 60),
                    static_cast<int>(schedule.time_of_day.count() % 60));
      return text;
    case Schedule::Kind::Every:
      if (schedule.interval % hours(1) == minutes(0)) {
        const auto n = schedule.interval.count() / 60;
        return "every " + std::to_string(n) + (n == 1 ? " hour" : " hours");
      }
      return "every " + std::to_string(schedule.interval.count()) +
             (schedule.interval.count() == 1 ? " minute" : " minutes");
  }
  return "off";
}

std::string formatUtcOffset(minutes offset) {
  const auto magnitude = offset.count() < 0 ? -offset.count() : offset.count();
  char text[16];
  std::snprintf(text, sizeof text, "%c%02d:%02d", offset.count() < 0 ? '-' : '+',
                static_cast<int>(magnitude / 60), static_cast<int>(magnitude % 60));
  return text;
}

std::string formatUtc(SystemTime t) {
  const std::time_t whole = std::chrono::system_clock::to_time_t(std::chrono::floor<seconds>(t));
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::optional<SystemTime> parseUtc(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &used) != 6)
    return std::nullopt;
  std::string_view rest = text.substr(static_cast<std::size_t>(used));
  std::chrono::milliseconds fraction{0};
  if (!rest.empty() && rest[0] == '.') {
    std::size_t digits = 1;
    long scale = 100;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
      fraction += std::chrono::milliseconds((rest[digits] - '0') * scale);
      scale /= 10;
      ++digits;
    }
    rest = rest.substr(digits);
  }
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                         std::chrono::day(day)};
  if (rest != "Z" || !date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return std::chrono::sys_days(date) + hours(hour) + minutes(minute) + seconds(second) + fraction;
}

std::optional<SystemTime> slotAfter(const Schedule& schedule, SystemTime t) {
  auto latest = slotAtOrBefore(schedule, t);
  if (!latest) return std::nullopt;
  if (schedule.kind == Schedule::Kind::Daily) return *latest + days(1);
  return *latest + schedule.interval;
}

std::optional<SystemTime> slotAtOrBefore(const Schedule& schedule, SystemTime t) {
  // Local wall time written as if it were UTC: midnight and the grid are plain arithmetic.
  const SystemTime local = t + schedule.utc_offset;
  switch (schedule.kind) {
    case Schedule::Kind::Off:
      return std::nullopt;
    case Schedule::Kind::Daily: {
      SystemTime slot = std::chrono::floor<days>(local) + schedule.time_of_day;
      if (slot > local) slot -= days(1);
      return slot - schedule.utc_offset;
    }
    case Schedule::Kind::Every: {
      const auto step = std::chrono::duration_cast<SystemTime::duration>(schedule.interval);
      const auto n = floorDiv(local.time_since_epoch().count(), step.count());
      return SystemTime(n * step) - schedule.utc_offset;
    }
  }
  return std::nullopt;
}

std::optional<SystemTime> nextDue(const Schedule& schedule, SystemTime handled, SystemTime now) {
  return slotAfter(schedule, std::max(handled, now));
}

}  // namespace mh::service::http
