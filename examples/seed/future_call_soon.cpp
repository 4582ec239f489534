// loop = asyncio.new_event_loop(); fut = loop.create_future()
// print(fut)                                  # <Future pending>
// loop.call_soon(fut.set_result, 42)
// print(loop.run_until_complete(fut), fut)    # 42 <Future finished result=42>
#include "seed.hpp"

#include <iostream>

namespace sl = simloop;

namespace seed {
sl::Duration future_call_soon(std::ostream& out) {
  sl::sim::SimLoop loop;
  sl::Future<int> fut(loop);
  out << "before: " << sl::to_string(fut.state()) << "\n";
  loop.call_soon([fut]() mutable { fut.set_result(42); });
  int v = loop.run_until_complete(fut);
  out << "run_until_complete returned " << v << "\n";
  out << "after: " << sl::to_string(fut.state()) << " result=" << fut.result() << "\n";
  return loop.time().time_since_epoch();
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(future_call_soon)
#endif
