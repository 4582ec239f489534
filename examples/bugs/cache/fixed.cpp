// Bug 2, check-then-act — fixed: the cache holds the fetch in flight (one
// fetch per key, later readers await it), and a fetch never writes the cache:
// put() replaces the entry, so an older fetch cannot overwrite it.
#include "cache.hpp"

namespace sl = simloop;

namespace bugs::cache::fixed {

namespace {
class Cache {
 public:
  explicit Cache(Db& db) : db_(db) {}

  sl::Coro<int> get(std::string key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      // Check and act in one step: the entry exists before this task awaits.
      it = entries_.emplace(key, sl::create_task(fetch(db_, key))).first;
    }
    sl::Future<int> entry = it->second;
    co_return co_await entry;
  }
  void put(const std::string& key, int value) {
    sl::Future<int> ready;
    ready.set_result(value);
    entries_.insert_or_assign(key, ready);
  }

 private:
  Db& db_;
  std::map<std::string, sl::Future<int>> entries_;
};
}  // namespace

sl::Coro<void> test() { return run_readers_and_writer<Cache>(); }

}  // namespace bugs::cache::fixed
