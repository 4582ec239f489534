#pragma once
// rapidcheck adapter: a property whose schedule is generated together with
// its arguments, so rapidcheck shrinks both.
//
//   #include <simloop/sim/harness/rapidcheck.hpp>
//
//   int main() {
//     bool ok = sl::sim::prop("deposits add up", [](std::uint8_t n) -> sl::Coro<void> {
//       ...;
//       RC_ASSERT(balance == n);
//     });
//     return ok ? 0 : 1;
//   }
//
// Every choice the simulated run asks (Chooser::choose(n, ...)) is answered
// by `*rc::gen::inRange<std::size_t>(0, n)` through the scheduler's external
// decisions hook (Strategy::external). rapidcheck shrinks integers toward 0,
// i.e. toward asyncio's own order, so the counterexample it prints is a
// minimal deviation with minimal arguments. The failure message (in
// rapidcheck's counterexample output) carries the simloop report: check,
// schedule token, trace tail. The token replays the schedule with the
// printed arguments; rapidcheck's own `RC_PARAMS="reproduce=..."` line
// reproduces arguments and schedule together.
//
// HarnessOptions apply to each run (steps budget, ready order, leak checks);
// how many cases run is rapidcheck's max_success (RC_PARAMS).
#include <rapidcheck.h>

#include <simloop/sim/harness/runner.hpp>

#include <string>
#include <tuple>
#include <type_traits>

namespace simloop::sim {

namespace rc_detail {
template <class T>
struct args_of : args_of<decltype(&T::operator())> {};
template <class C, class R, class... A>
struct args_of<R (C::*)(A...) const> {
  using type = std::tuple<std::decay_t<A>...>;
};
template <class C, class R, class... A>
struct args_of<R (C::*)(A...)> {
  using type = std::tuple<std::decay_t<A>...>;
};
template <class R, class... A>
struct args_of<R (*)(A...)> {
  using type = std::tuple<std::decay_t<A>...>;
};

// The run's exception, described: RC_ASSERT's message when it was one.
inline std::string describe(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const rc::detail::CaseResult& r) {
    return r.description;
  } catch (...) {
  }
  return {};
}

template <class F, class... A>
bool prop(const std::string& name, F f, const harness::HarnessOptions& o, std::tuple<A...>*) {
  return rc::check(name, [f, o](A... args) {
    FunctionChooser chooser([](std::size_t n, ChoicePoint) { return *rc::gen::inRange<std::size_t>(0, n); });
    auto body = [&]() -> Coro<void> { return f(args...); };
    RunOptions ro = o.run_options(0);
    ro.strategy = Strategy::external;
    ro.chooser = &chooser;
    RunReport rep = try_run(body, ro);
    if (!rep.failure) return;
    if (rep.failure->error) {  // RC_PRE's discard is rapidcheck's business, not a failure
      try {
        std::rethrow_exception(rep.failure->error);
      } catch (const rc::detail::CaseResult& r) {
        if (r.type == rc::detail::CaseResult::Type::Discard) throw;
      } catch (...) {
      }
    }
    std::string check = describe(rep.failure->error);
    if (check.empty()) check = fmt::format("{}: {}", to_string(rep.failure->kind), rep.failure->message);
    std::string msg = fmt::format("simloop: {}\n  token:      {}\n  trace hash: {:016x}\n", check, rep.token,
                                  rep.trace_hash);
    if (rep.trace && rep.trace->size()) {
      std::size_t n = std::min(o.trace_tail, rep.trace->size());
      msg += fmt::format("  last {} of {} trace events:\n", n, rep.trace->size());
      msg += harness::detail::indent(rep.trace->format_tail(n), "    ");
    }
    throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Failure, msg);
  });
}
}  // namespace rc_detail

// Checks the property with rapidcheck (printing its counterexample on
// failure); true when it held.
template <class F>
bool prop(const std::string& name, F f, const harness::HarnessOptions& options = {}) {
  using Args = typename rc_detail::args_of<F>::type;
  return rc_detail::prop(name, std::move(f), options, static_cast<Args*>(nullptr));
}

}  // namespace simloop::sim
