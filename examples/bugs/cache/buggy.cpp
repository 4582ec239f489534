// Bug 2, check-then-act — the buggy cache.
#include "cache.hpp"

namespace sl = simloop;

namespace bugs::cache::buggy {

namespace {
class Cache {
 public:
  explicit Cache(Db& db) : db_(db) {}

  sl::Coro<int> get(std::string key) {
    if (auto it = entries_.find(key); it != entries_.end()) co_return it->second;  // check ...
    int value = co_await fetch(db_, key);  // ... await: another get() of the key misses too and fetches again ...
    entries_[key] = value;                 // ... act: may overwrite a newer put() with this older value
    co_return value;
  }
  void put(const std::string& key, int value) { entries_[key] = value; }

 private:
  Db& db_;
  std::map<std::string, int> entries_;
};
}  // namespace

sl::Coro<void> test() { return run_readers_and_writer<Cache>(); }

}  // namespace bugs::cache::buggy
