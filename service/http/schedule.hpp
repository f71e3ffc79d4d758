// When national runs are due: the schedule syntax of the configuration and the pure slot
// arithmetic of the scheduler (fixed UTC offset, so no daylight-saving surprises).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mh::service::http {

using SystemTime = std::chrono::system_clock::time_point;

// Vietnam's time zone, UTC+07:00 all year (no daylight saving): the default of utc_offset.
inline constexpr std::chrono::minutes kVietnamUtcOffset{7 * 60};

struct Schedule {
  enum class Kind { Off, Daily, Every };
  Kind kind = Kind::Off;
  std::chrono::minutes time_of_day{0};  // Daily: minutes after local midnight
  std::chrono::minutes interval{0};     // Every: the distance between two slots
  // Local time = UTC + utc_offset. Daily slots are at time_of_day local time; Every slots are
  // local midnight plus multiples of the interval (on a grid that starts on 1970-01-01 local, so
  // "every 6 hours" is 00:00, 06:00, 12:00 and 18:00 local whatever the start time).
  std::chrono::minutes utc_offset = kVietnamUtcOffset;

  bool operator==(const Schedule&) const = default;
};

// "off" (or empty), "daily HH:MM", "every N hours" or "every N minutes" (case-insensitive;
// "hour"/"minute"/"min" too). N: at least one minute, at most 7 days. The offset is left at its
// default. nullopt with `error` set when the text is none of these.
std::optional<Schedule> parseSchedule(std::string_view text, std::string& error);

// "+07:00", "-05:30", "+7", "Z" or "UTC"; at most 14 hours either way.
std::optional<std::chrono::minutes> parseUtcOffset(std::string_view text, std::string& error);

// A delay such as "30 minutes", "30 min", "30m", "2 hours", "2h", "90 seconds" or "90s"; from
// 1 second to 7 days.
std::optional<std::chrono::seconds> parseDelay(std::string_view text, std::string& error);

// "off", "daily 02:00", "every 6 hours", "every 90 minutes" (as parseSchedule reads them).
std::string describe(const Schedule& schedule);
std::string formatUtcOffset(std::chrono::minutes offset);  // "+07:00"
std::string formatUtc(SystemTime t);                       // "2026-03-01T19:00:00Z"
// A UTC time as the store writes it ("2026-03-01T19:00:00.123Z"; fraction optional).
std::optional<SystemTime> parseUtc(std::string_view text);

// The first slot strictly after `t`; nullopt when the schedule is off.
std::optional<SystemTime> slotAfter(const Schedule& schedule, SystemTime t);
// The latest slot at or before `t`; nullopt when the schedule is off.
std::optional<SystemTime> slotAtOrBefore(const Schedule& schedule, SystemTime t);

// The slot after `handled`, the slot the scheduler has just handled (started a run, or skipped
// it) at `now`: the first slot after both. A scheduler that woke up late (the machine slept, the
// clock jumped forward, several slots went by) has started one run for them all and goes on with
// the next slot to come: overdue slots never become a storm of catch-up runs. A clock set back
// never repeats a slot. nullopt when the schedule is off.
std::optional<SystemTime> nextDue(const Schedule& schedule, SystemTime handled, SystemTime now);

}  // namespace mh::service::http
