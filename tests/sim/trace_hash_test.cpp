// The trace hash (format 2, sim/trace.hpp fold_event): a function of the
// events alone. A step folded as one pair (Trace::record_step, SimLoop's
// path) hashes as its two events recorded one by one; reading the hash while
// a step's start is held back changes nothing; a golden value pins the
// format across compilers and machines.
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace sl = simloop;
namespace sim = simloop::sim;
using sim::EventKind;
using sim::TraceEvent;
using namespace std::chrono_literals;

namespace {

// Steps of a few tasks: mostly a start and its end, sometimes with other
// events between them (a created task, a choice), sometimes another task's
// end or a clock move right after a start, so every path of the held start
// runs. Large task ids and arguments now and then.
std::vector<TraceEvent> steps(std::size_t n) {
  constexpr EventKind kStarts[] = {EventKind::task_started, EventKind::task_resumed, EventKind::task_thrown};
  constexpr EventKind kEnds[] = {EventKind::task_suspended, EventKind::task_yielded, EventKind::task_done};
  std::vector<TraceEvent> out;
  std::uint64_t x = 7;
  std::int64_t t = 0;
  auto next = [&x] { return x = x * 6364136223846793005ULL + 1442695040888963407ULL; };
  while (out.size() < n) {
    next();
    std::uint64_t task = 1 + (x >> 20) % 6;
    if (x % 97 == 0) task = std::uint64_t{3} << 54;  // past what a held start keeps
    if (x % 89 == 0) task = std::uint64_t{1} << 30;  // wide in storage
    out.push_back(TraceEvent{t, task, 0, 0, kStarts[(x >> 8) % 3], {}});
    switch ((x >> 12) % 8) {
      case 0: out.push_back(TraceEvent{t, task, task + 10, 0, EventKind::task_created, {}}); break;
      case 1: out.push_back(TraceEvent{t, task, 1, 2, EventKind::choice, sl::ChoicePoint::ready_order}); break;
      case 2: out.push_back(TraceEvent{t, task + 1, 0, 0, EventKind::task_yielded, {}}); break;  // not its end
      case 3: t += 5; break;                                                                     // the clock moves
      default: break;
    }
    const EventKind end = kEnds[(x >> 16) % 3];
    const std::uint64_t arg = end == EventKind::task_suspended ? (x >> 24) % 3 == 0 ? std::uint64_t{1} << 40 : 7 : 0;
    out.push_back(TraceEvent{t, task, arg, end == EventKind::task_suspended ? 1u : 0u, end, {}});
    if ((x >> 28) % 5 == 0) t += 1000;
  }
  return out;
}

// Records evs one by one, or a start and the end right after it (same task,
// same time) as one record_step.
void record_all(sim::Trace& tr, const std::vector<TraceEvent>& evs, bool pairs) {
  for (std::size_t i = 0; i < evs.size(); ++i) {
    const TraceEvent& e = evs[i];
    if (pairs && i + 1 < evs.size() && sim::is_step_start(e.kind) && sim::is_step_end(evs[i + 1].kind) &&
        evs[i + 1].task == e.task && evs[i + 1].time_ns == e.time_ns) {
      const TraceEvent& end = evs[++i];
      tr.record_step(e.kind, end.kind, e.time_ns, e.task, end.arg, end.aux);
    } else {
      tr.record(e);
    }
  }
}

sl::Coro<void> worker(int i) {
  for (int k = 0; k < 3; ++k) co_await sl::sleep(k == 1 ? sl::Duration::zero() : sl::Duration(1ms * (i + 1)));
  if (i == 2) throw std::runtime_error("worker 2 fails");
}

// Steps, yields, a failure, a cancellation (with a message), a report.
sl::Coro<void> busy() {
  std::vector<sl::Task<void>> ts;
  for (int i = 0; i < 4; ++i) ts.push_back(sl::create_task(worker(i)));
  co_await sl::sleep(1500us);
  ts[3].cancel("enough");
  for (auto& t : ts) {
    try {
      co_await t;
    } catch (const std::exception&) {
    }
  }
}

}  // namespace

TEST_CASE("trace hash: a step recorded as one pair hashes and reads back as its two events", "[trace][hash]") {
  const auto evs = steps(20000);
  for (bool keep : {true, false}) {
    INFO("keep events: " << keep);
    sim::Trace one_by_one, paired;
    one_by_one.set_keep_events(keep);
    paired.set_keep_events(keep);
    record_all(one_by_one, evs, false);
    record_all(paired, evs, true);
    CHECK(paired.hash() == one_by_one.hash());
    if (!keep) continue;
    REQUIRE(paired.size() == evs.size());
    for (std::size_t i = 0; i < evs.size(); ++i) {
      INFO("event " << i);
      REQUIRE(paired.event(i) == evs[i]);
    }
  }
}

TEST_CASE("trace hash: reading it while a step's start is held back changes nothing", "[trace][hash]") {
  const auto evs = steps(3000);
  sim::Trace plain, read_often;
  record_all(plain, evs, false);
  std::uint64_t last = read_often.hash();
  for (const auto& e : evs) {
    read_often.record(e);
    const std::uint64_t h = read_often.hash();
    CHECK(h != last);  // every event counts, also a start still held
    last = h;
  }
  CHECK(read_often.hash() == plain.hash());
}

TEST_CASE("trace hash: a start pairs only with its own step's end, and order counts", "[trace][hash]") {
  auto hash_of = [](std::vector<TraceEvent> evs) {
    sim::Trace tr;
    for (auto& e : evs) tr.record(e);
    return tr.hash();
  };
  const TraceEvent resumed{0, 2, 0, 0, EventKind::task_resumed, {}};
  const TraceEvent yielded{0, 2, 0, 0, EventKind::task_yielded, {}};
  const TraceEvent other_yielded{0, 3, 0, 0, EventKind::task_yielded, {}};
  const TraceEvent started{0, 2, 0, 0, EventKind::task_started, {}};
  const TraceEvent callback{0, 0, 0, 0, EventKind::callback, {}};
  const std::uint64_t pair = hash_of({resumed, yielded});
  CHECK(pair != hash_of({yielded}));
  CHECK(pair != hash_of({resumed}));
  CHECK(pair != hash_of({started, yielded}));
  CHECK(pair != hash_of({yielded, resumed}));
  CHECK(pair != hash_of({resumed, callback, yielded}));
  CHECK(hash_of({resumed, other_yielded}) != hash_of({other_yielded, resumed}));
  // Another task's end does not take the held start: both tasks count.
  const TraceEvent resumed4{0, 4, 0, 0, EventKind::task_resumed, {}};
  CHECK(hash_of({resumed, other_yielded}) != hash_of({resumed4, other_yielded}));
  TraceEvent later = yielded;
  later.time_ns = 1;
  CHECK(pair != hash_of({resumed, later}));
  TraceEvent resumed_later = resumed;
  resumed_later.time_ns = 1;
  CHECK(hash_of({resumed_later, later}) != pair);
  CHECK(hash_of({resumed, later}) != hash_of({resumed_later, later}));  // the start's own time counts
  CHECK(hash_of({resumed_later, later}) != hash_of({resumed, yielded, later}));
}

TEST_CASE("trace hash: a run's events, recorded again one by one, give the run's hash", "[trace][hash]") {
  for (auto strategy : {sim::Strategy::fifo, sim::Strategy::random}) {
    auto r = sim::try_run(busy, {.seed = 5, .strategy = strategy, .explore_ready_order = true, .quiet = true});
    REQUIRE(r.trace);
    const sim::Trace& run = *r.trace;
    bool failed = false, cancelled = false, paired = false;
    sim::Trace again;
    for (std::size_t i = 0; i < run.size(); ++i) {
      const TraceEvent e = run.event(i);
      failed |= e.kind == EventKind::task_failed;
      cancelled |= e.kind == EventKind::task_cancelled;
      paired |= i > 0 && sim::is_step_end(e.kind) && sim::is_step_start(run.event(i - 1).kind);
      if (sim::has_text(e.kind)) CHECK(again.add_string(run.text(e.arg)) == e.arg);
      again.record(e);
    }
    CHECK(failed);
    CHECK(cancelled);
    CHECK(paired);
    CHECK(again.hash() == r.trace_hash);
  }
}

TEST_CASE("trace hash: golden values pin format 2 on every compiler and machine", "[trace][hash]") {
  // Re-pin only with a new format, a new token version (schedule.hpp) and
  // a note in the commit: every recorded token's hash changes with it.
  sim::Trace tr;
  tr.record(TraceEvent{0, 1, 0, 0, EventKind::task_created, {}});
  tr.record_step(EventKind::task_started, EventKind::task_yielded, 0, 1);
  tr.record(TraceEvent{0, 1, 0, 0, EventKind::task_resumed, {}});
  tr.record(TraceEvent{0, 1, 9, 0, EventKind::task_suspended, {}});
  tr.record(TraceEvent{0, 0, 1, 3, EventKind::choice, sl::ChoicePoint::ready_order});
  tr.record(TraceEvent{1'000'000, 1, 4, 0, EventKind::timer_fired, {}});
  tr.record(TraceEvent{1'000'000, 1, 0, 0, EventKind::task_resumed, {}});
  const std::uint64_t s = tr.add_string("boom");
  tr.record(TraceEvent{1'000'000, 1, s, 0, EventKind::task_failed, {}});
  tr.record(TraceEvent{1'000'000, std::uint64_t{1} << 60, std::uint64_t{1} << 40, 7, EventKind::callback, {}});
  CHECK(tr.hash() == 0x82590cfbb4d1887bULL);
}
