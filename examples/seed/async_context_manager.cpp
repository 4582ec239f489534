// class Connection:
//     def __init__(self, name): self.name = name
//     async def __aenter__(self):
//         print(f"connecting to {self.name}"); await asyncio.sleep(1); print("connected")
//         return self
//     async def __aexit__(self, exc_type, exc, tb):
//         print("closing"); await asyncio.sleep(0.5); print("closed")
//     async def query(self, q):
//         await asyncio.sleep(1); return f"{q}: 42 rows"
// async def main():
//     async with Connection("db") as conn:
//         print(await conn.query("select"))
//     print("done")
//
// CPython 3.11 prints connecting (0 s), connected (1 s), select: 42 rows (2 s),
// closing (2 s), closed (2.5 s), done (2.5 s).
#include "seed.hpp"

#include <exception>
#include <iostream>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
sl::Duration async_context_manager(std::ostream& out);

namespace {
class Connection {
 public:
  Connection(std::ostream& out, std::string name) : out_(out), name_(std::move(name)) {}

  sl::Coro<Connection*> aenter() {
    out_ << "connecting to " << name_ << " at " << now() << "\n";
    co_await sl::sleep(1s);
    out_ << "connected at " << now() << "\n";
    co_return this;
  }
  sl::Coro<void> aexit(std::exception_ptr) {  // returns nothing: never suppresses
    out_ << "closing at " << now() << "\n";
    co_await sl::sleep(500ms);
    out_ << "closed at " << now() << "\n";
  }
  sl::Coro<std::string> query(std::string q) {
    co_await sl::sleep(1s);
    co_return q + ": 42 rows";
  }

 private:
  std::ostream& out_;
  std::string name_;
};
}  // namespace

sl::Duration async_context_manager(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    co_await sl::async_with(Connection(out, "db"), [&](Connection* conn) -> sl::Coro<void> {
      std::string rows = co_await conn->query("select");
      out << rows << " at " << now() << "\n";
    });
    out << "done at " << now() << "\n";
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(async_context_manager)
#endif
