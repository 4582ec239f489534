// def cb(fut, n): print(f"callback n={n}: result={fut.result()}")
// fut.add_done_callback(functools.partial(cb, n=1)); fut.add_done_callback(functools.partial(cb, n=2))
// loop.call_soon(fut.set_result, 'ok'); loop.run_until_complete(fut)
//   -> callback n=1, then n=2: in registration order, through the loop [S18, S19]
#include "seed.hpp"

#include <iostream>

namespace sl = simloop;

namespace seed {
sl::Duration done_callbacks(std::ostream& out) {
  sl::sim::SimLoop loop;
  sl::Future<std::string> fut(loop);
  auto cb = [&out](sl::Future<std::string> f, int n) {
    out << "callback n=" << n << ": result=" << f.result() << "\n";
  };
  fut.add_done_callback([cb](sl::Future<std::string> f) { cb(f, 1); });  // functools.partial(cb, n=1)
  fut.add_done_callback([cb](sl::Future<std::string> f) { cb(f, 2); });
  loop.call_soon([fut]() mutable { fut.set_result("ok"); });
  loop.run_until_complete(fut);
  // run_until_complete registered its stop callback after ours, so n=1 and
  // n=2 have both run (once each) when it returns.
  return loop.time().time_since_epoch();
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(done_callbacks)
#endif
