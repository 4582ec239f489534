// Strength, schedule edition: three deliberately wrong variants (written here, never
// as hooks in the library) that are right in asyncio's own order — they pass
// at the all-zero (FIFO) schedule — and wrong only when a timer tie goes the
// other way. For each: (a) the property holds at the all-zero schedule over
// many cases, (b) under generated schedules it fails, (c) the shrunk failing
// schedule deviates from FIFO at least once and at most twice (deviations
// counted as in schedule_props.cpp's planted bug: nonzero answers used).
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/tied_property.hpp>
#include <simloop/properties/wait_for_tie_property.hpp>

#include <iostream>

namespace sl = simloop;
namespace sp = simloop::properties;

namespace {

// 1. wait_for deciding, in the timeout callback, whether the inner had
// finished (CPython looks at fut.done() when the awaiting task resumes).
// At FIFO a coroutine inner due at the deadline loses the tie anyway (its
// timer is registered after the timeout, S60), so the answers agree; when the
// inner's timer fires first it finishes before wait_for resumes, and this
// variant still raises TimeoutError.
sl::Coro<int> wait_for_done_in_timer(sp::WaitForAw aw, sl::Duration d) {
  sl::Loop& loop = sl::get_running_loop();
  sl::Future<void> waiter(loop);
  auto release = [waiter]() mutable {
    if (!waiter.done()) waiter.set_result();
  };
  bool timed_out = false;
  sl::Task<int> fut;
  sl::TimerHandle h = loop.call_later(d, [&timed_out, &fut, release]() mutable {
    timed_out = !fut.done();  // the bug: too early to tell
    release();
  });
  if (auto* c = std::get_if<sl::Coro<int>>(&aw)) fut = sl::create_task(std::move(*c));
  else fut = std::get<sl::Task<int>>(aw);
  const auto cb = fut.add_done_callback(release);
  co_await waiter;
  h.cancel();
  if (!timed_out) co_return co_await fut;
  fut.remove_done_callback(cb);
  fut.cancel();
  try {
    (void)co_await fut;  // until it has finished [S57]
  } catch (...) {
  }
  throw sl::TimeoutError(std::string("wait_for_done_in_timer: timed out"));
}

// 2. wait(timeout) taking its done/pending partition when the timeout fires
// (CPython partitions when the waiting task resumes). At FIFO the timeout,
// registered by the caller before any task's timer, fires first at a tie and
// the caller resumes before any task due then completes; when a task's timer
// fires first, that task is done when wait returns but is put in pending.
sl::Coro<sl::WaitResult<sl::Task<int>>> wait_partition_in_timer(std::vector<sl::Task<int>> fs, sl::WaitOptions o) {
  std::vector<bool> snapshot;
  bool fired = false;
  sl::TimerHandle h;
  if (o.timeout) {
    h = sl::get_running_loop().call_later(*o.timeout, [&] {
      fired = true;
      for (auto& t : fs) snapshot.push_back(t.done());
    });
  }
  auto r = co_await sl::wait(fs, o);
  h.cancel();
  if (!fired) co_return r;
  sl::WaitResult<sl::Task<int>> out;
  for (std::size_t i = 0; i < fs.size(); ++i) (snapshot[i] ? out.done : out.pending).push_back(fs[i]);
  co_return out;
}

// 3. as_completed handing over, when its deadline passes, the results that
// are in by then. CPython's _on_timeout answers TimeoutError for every input
// still unanswered, at once, so a task finishing later in that same instant
// is not yielded. At FIFO the timeout (registered when the iteration starts,
// before any task's timer) fires first at a tie and the consumer resumes
// before any task due then completes, so there is nothing to salvage; when a
// task's timer fires first, it completes before the consumer resumes.
sl::Outcome<int> outcome_of(const sl::Task<int>& t) {
  try {
    return sl::Outcome<int>::from_value(t.result());
  } catch (...) {
    return sl::Outcome<int>::from_exception(std::current_exception());
  }
}
sl::Coro<std::vector<sl::Outcome<int>>> as_completed_salvaging(std::vector<sl::Task<int>> fs,
                                                               std::optional<sl::Duration> timeout, bool& timed_out) {
  // Which input each answer was: the completion order, recorded by a done
  // callback registered before as_completed's own.
  auto order = std::make_shared<std::vector<std::size_t>>();
  for (std::size_t i = 0; i < fs.size(); ++i) fs[i].add_done_callback([order, i] { order->push_back(i); });
  std::vector<sl::Outcome<int>> out;
  for (auto next : sl::as_completed(fs, {.timeout = timeout})) {
    try {
      out.push_back(sl::Outcome<int>::from_value(co_await next));
    } catch (const sl::TimeoutError&) {
      timed_out = true;
      break;
    } catch (...) {
      out.push_back(sl::Outcome<int>::from_exception(std::current_exception()));
    }
  }
  if (timed_out) {
    std::vector<bool> yielded(fs.size());
    for (std::size_t k = 0; k < out.size(); ++k) yielded[(*order)[k]] = true;
    for (std::size_t i = 0; i < fs.size(); ++i)
      if (!yielded[i] && fs[i].done()) out.push_back(outcome_of(fs[i]));  // the bug
  }
  co_return out;
}

void expect_needs_schedule(const std::string& id, const sp::PropOutcome& fifo, const sp::PropOutcome& r,
                           const sp::TieProbe& probe) {
  INFO(id << "\nat FIFO: " << fifo.message << "\nunder schedules: " << r.message);
  // (a) right in asyncio's own order
  CHECK(fifo.passed);
  CHECK(fifo.num_success >= 200);
  // (b) wrong under some schedule, with a counterexample and a reproduce line
  CHECK_FALSE(r.passed);
  CHECK_FALSE(r.gave_up);
  bool has_schedule = false;
  for (const auto& [type, value] : r.counterexample) has_schedule |= value.rfind("schedule[", 0) == 0;
  CHECK(has_schedule);
  CHECK_THAT(r.reproduce, Catch::Matchers::StartsWith("RC_PARAMS=\"reproduce="));
  // (c) the shrunk schedule: the deviation the bug needs, and little else
  CHECK(probe.failing_runs > 0);
  CHECK(probe.last_failing >= 1);
  CHECK(probe.last_failing <= 2);
  CHECK(probe.first_failing >= probe.last_failing);
  std::cout << "schedule mutant " << id << ": passes " << fifo.num_success
            << " cases at FIFO; caught after " << r.num_success << " passing cases; first failing schedule had "
            << probe.first_failing << " deviations, shrunk to " << probe.last_failing << ":\n";
  for (const auto& [type, value] : r.counterexample) std::cout << "  " << value << "\n";
}

const rc::Gen<sp::ScheduleSeq> fifo_only = rc::gen::just(sp::ScheduleSeq{});

}  // namespace

TEST_CASE("schedule mutant: wait_for reading done() in the timeout callback passes at FIFO, fails at a tie won by the inner [S60]",
          "[mutants][schedule][S60]") {
  sp::WaitForTieImpl impl = [](sp::WaitForAw aw, sl::Duration d) { return wait_for_done_in_timer(std::move(aw), d); };
  // Coroutine inners: the case where asyncio's order hides the bug (a task
  // already sleeping wins its tie at FIFO, and this variant fails there too).
  auto fifo = sp::check("smutant.wait_for_timer.fifo",
                        sp::wait_for_tie_property(impl, sp::InnerKinds::coro, false, nullptr, fifo_only),
                        {.max_success = 300});
  auto probe = std::make_shared<sp::TieProbe>();
  auto r = sp::check("smutant.wait_for_timer", sp::wait_for_tie_property(impl, sp::InnerKinds::coro, false, probe),
                     {.max_success = 300});
  expect_needs_schedule("wait_for-done-in-timer", fifo, r, *probe);
}

TEST_CASE("schedule mutant: wait partitioning when its timeout fires passes at FIFO, fails when a task wins the tie [S52]",
          "[mutants][schedule][S52]") {
  sp::WaitImpl impl = [](std::vector<sl::Task<int>> fs, sl::WaitOptions o) {
    return wait_partition_in_timer(std::move(fs), o);
  };
  auto fifo = sp::check("smutant.wait_partition.fifo", sp::wait_tied_property(impl, nullptr, fifo_only),
                        {.max_success = 300});
  auto probe = std::make_shared<sp::TieProbe>();
  auto r = sp::check("smutant.wait_partition", sp::wait_tied_property(impl, probe), {.max_success = 300});
  expect_needs_schedule("wait-partition-in-timer", fifo, r, *probe);
}

TEST_CASE("schedule mutant: as_completed salvaging results at its deadline passes at FIFO, fails when a task wins the tie [S63]",
          "[mutants][schedule][S63]") {
  sp::AsCompletedImpl impl = [](std::vector<sl::Task<int>> fs, std::optional<sl::Duration> t, bool& to) {
    return as_completed_salvaging(std::move(fs), t, to);
  };
  auto fifo = sp::check("smutant.as_completed_salvage.fifo", sp::as_completed_tied_property(impl, nullptr, fifo_only),
                        {.max_success = 300});
  auto probe = std::make_shared<sp::TieProbe>();
  auto r = sp::check("smutant.as_completed_salvage", sp::as_completed_tied_property(impl, probe), {.max_success = 300});
  expect_needs_schedule("as_completed-salvage", fifo, r, *probe);
}
