// Shared DNS cache with TTL and negative caching.
#include "checks/dns/caching_resolver.hpp"

#include <algorithm>

namespace mh::dns {

DnsCache::DnsCache(DnsCacheOptions options, Clock clock)
    : options_(options),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

std::chrono::seconds DnsCache::lifetime(const DnsAnswer& answer) const {
  if (answer.status == DnsStatus::InvalidName) return std::chrono::seconds(options_.max_ttl);
  if (answer.isError()) return std::chrono::seconds(options_.error_ttl);
  if (answer.status == DnsStatus::NoError) {
    std::uint32_t ttl = options_.max_ttl;
    for (const auto& r : answer.records) ttl = std::min(ttl, r.ttl);
    for (const auto& r : answer.cnames) ttl = std::min(ttl, r.ttl);
    return std::chrono::seconds(ttl);
  }
  std::uint32_t neg = answer.negative_ttl ? answer.negative_ttl : options_.default_negative_ttl;
  for (const auto& r : answer.cnames) neg = std::min(neg, r.ttl);
  return std::chrono::seconds(std::min(neg, options_.max_ttl));
}

void DnsCache::erase(std::map<Key, Entry>::iterator it) {
  recencyOf(it->second.error).erase(it->second.use);
  entries_.erase(it);
}

std::optional<DnsAnswer> DnsCache::get(const std::string& name, std::uint16_t type) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find({name, type});
  if (it == entries_.end() || it->second.expires <= clock_()) {
    if (it != entries_.end()) erase(it);
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  auto& recency = recencyOf(it->second.error);
  recency.splice(recency.begin(), recency, it->second.use);
  return it->second.answer;
}

void DnsCache::put(const DnsAnswer& answer) {
  auto life = lifetime(answer);
  const bool error = answer.isError();
  const std::size_t limit = error ? options_.max_errors : options_.max_entries;
  if (life.count() <= 0 || limit == 0) return;
  std::lock_guard lock(mutex_);
  const auto expires = clock_() + life;
  Key key{answer.qname, answer.qtype};
  if (auto it = entries_.find(key); it != entries_.end()) erase(it);
  auto& recency = recencyOf(error);
  while (recency.size() >= limit) erase(entries_.find(recency.back()));
  recency.push_front(key);
  entries_.emplace(std::move(key), Entry{answer, expires, recency.begin(), error});
}

std::size_t DnsCache::dropErrors() {
  std::lock_guard lock(mutex_);
  std::size_t dropped = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (it->second.answer.isError()) {
      erase(it);
      ++dropped;
    }
    it = next;
  }
  return dropped;
}

std::uint64_t DnsCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

std::uint64_t DnsCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

std::size_t DnsCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

DnsAnswer CachingResolver::query(std::string_view name, std::uint16_t type) {
  std::string key = normaliseName(name);
  if (auto cached = cache_.get(key, type)) return *cached;
  DnsAnswer answer = upstream_.query(name, type);
  cache_.put(answer);
  return answer;
}

std::vector<DnsAnswer> CachingResolver::queryMany(std::span<const DnsQuestion> questions) {
  std::vector<DnsAnswer> answers(questions.size());
  std::vector<DnsQuestion> misses;
  std::vector<std::size_t> missAt;
  for (std::size_t i = 0; i < questions.size(); ++i) {
    if (auto cached = cache_.get(normaliseName(questions[i].name), questions[i].type)) {
      answers[i] = std::move(*cached);
    } else {
      misses.push_back(questions[i]);
      missAt.push_back(i);
    }
  }
  if (misses.empty()) return answers;
  auto fetched = upstream_.queryMany(misses);
  for (std::size_t k = 0; k < fetched.size(); ++k) {
    cache_.put(fetched[k]);
    answers[missAt[k]] = std::move(fetched[k]);
  }
  return answers;
}

}  // namespace mh::dns
