#pragma once
// The applicant's JSON view of a case, kept by this instance and served again while what it was computed
// from is unchanged: the stamp read with the access-code check (case version, the applicant's notices and
// their states, the remedies setting), the day and the calendar. The stamp is read from the database on
// every request, so a change made by any instance is seen at once. Bounded: when full it starts over.
#include "workflow/calendar.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace gongkai {

class view_cache {
 public:
  struct key {
    std::string stamp;
    workflow::date day;
    // Held, so a calendar replaced since cannot be mistaken for this one.
    std::shared_ptr<const workflow::working_calendar> calendar;
    bool operator==(const key& o) const { return stamp == o.stamp && day == o.day && calendar == o.calendar; }
  };

  explicit view_cache(std::size_t capacity = 2048) : capacity_(capacity) {}

  std::optional<std::string> find(const std::string& tracking_no, const key& k) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(tracking_no);
    if (it == entries_.end() || !(it->second.k == k)) return std::nullopt;
    ++hits_;
    return it->second.body;
  }

  // Views sent again without being computed (the tests and the benchmark read it).
  std::size_t hits() {
    std::lock_guard lock(mutex_);
    return hits_;
  }

  void store(const std::string& tracking_no, key k, std::string body) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= capacity_ && !entries_.count(tracking_no)) entries_.clear();
    entries_[tracking_no] = entry{std::move(k), std::move(body)};
  }

 private:
  struct entry {
    key k;
    std::string body;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
  std::size_t capacity_;
  std::size_t hits_ = 0;
};

}  // namespace gongkai
