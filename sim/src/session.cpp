// One simulated run: the chooser the options ask for, the loop, and turning
// what happened into a RunReport.
#include <simloop/sim/run.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace simloop::sim::detail {

void check_not_running() {
  if (running_loop())
    throw std::runtime_error(
        "sim::run() cannot be called from a running event loop: co_await the coroutine instead [S8]");
}

Session::Session(const RunOptions& options) : options_(options) {
  switch (options.strategy) {
    case Strategy::fifo: break;
    case Strategy::random: owned_chooser_ = std::make_unique<RandomChooser>(options.seed); break;
    case Strategy::pct:
      owned_chooser_ = std::make_unique<PctChooser>(options.seed, options.pct_depth, options.pct_choices_hint);
      break;
    case Strategy::dfs:
      // explore() passes the DfsChooser that spans its runs; alone, a dfs run
      // is the first schedule of the enumeration (all zeros).
      if (!options.chooser) owned_chooser_ = std::make_unique<DfsChooser>();
      break;
    case Strategy::replay: {
      token_schedule_ = Schedule::from_token(options.token);  // throws TokenError
      const Schedule& s = token_schedule_;
      options_.explore_ready_order = s.explore_ready_order;
      options_.explore_timer_ties = s.explore_timer_ties;
      options_.jitter_max = s.jitter_max;
      options_.jitter_choices = s.jitter_choices;
      options_.steps_max = s.steps_max;
      options_.virtual_time_max = s.virtual_time_max;
      options_.fail_on_pending_tasks = s.fail_on_pending_tasks;
      options_.fail_on_unretrieved_exceptions = s.fail_on_unretrieved_exceptions;
      options_.seed = s.seed;
      owned_chooser_ = std::make_unique<ReplayChooser>(s.decisions);
      break;
    }
    case Strategy::bytes: owned_chooser_ = std::make_unique<BytesChooser>(options.bytes); break;
    case Strategy::external:
      if (!options.chooser)
        throw std::invalid_argument("Strategy::external needs RunOptions::chooser (a Chooser to ask)");
      break;
  }
  chooser_ = owned_chooser_ ? owned_chooser_.get() : options.chooser;
  SimConfig c;
  c.chooser = chooser_;
  c.explore_ready_order = options_.explore_ready_order;
  c.explore_timer_ties = options_.explore_timer_ties.value_or(options.strategy != Strategy::fifo);
  c.jitter_max = options_.jitter_max;
  c.jitter_choices = options_.jitter_choices < 2 ? 2 : options_.jitter_choices;
  c.steps_max = options_.steps_max;
  c.virtual_time_max = options_.virtual_time_max;
  c.keep_trace = options_.trace;
  c.quiet = options_.quiet;
  options_.explore_timer_ties = c.explore_timer_ties;
  options_.jitter_choices = c.jitter_choices;
  if (chooser_) chooser_->begin_run();
  loop_ = std::make_unique<SimLoop>(c);
}

Session::~Session() = default;

void Session::main_finished() {
  pending_at_end_ = loop_->note_main_finished();
  try {
    loop_->cancel_all_tasks();  // as asyncio.run does at the end
  } catch (...) {
    // A task that refuses to end (deadlock or hang during teardown) is
    // reported by close() as still pending; main's outcome stands.
  }
}

namespace {
bool is_unretrieved_report(const std::string& r) { return r.find("exception was never retrieved") != std::string::npos; }
}  // namespace

RunReport Session::finish(bool make_token) {
  if (chooser_) chooser_->end_run();
  loop_->close();  // reports (and destroys) tasks that survived the teardown
  SimLoop& l = *loop_;
  RunReport rep;
  rep.elapsed = l.time().time_since_epoch();
  rep.steps = l.steps();
  rep.trace_hash = l.trace_hash();
  Schedule& s = rep.schedule;
  s.decisions = l.decisions();
  s.explore_ready_order = options_.explore_ready_order;
  s.explore_timer_ties = *options_.explore_timer_ties;
  s.jitter_max = options_.jitter_max;
  s.jitter_choices = options_.jitter_choices;
  s.steps_max = options_.steps_max;
  s.virtual_time_max = options_.virtual_time_max;
  s.fail_on_pending_tasks = options_.fail_on_pending_tasks;
  s.fail_on_unretrieved_exceptions = options_.fail_on_unretrieved_exceptions;
  s.seed = options_.seed;
  s.strategy = static_cast<std::uint8_t>(options_.strategy == Strategy::replay
                                             ? static_cast<Strategy>(token_schedule_.strategy)
                                             : options_.strategy);
  s.trace_hash = rep.trace_hash;
  if (make_token) rep.token = s.to_token();
  rep.trace = std::make_shared<const Trace>(std::move(l.trace()));
  rep.reports = l.reports();
  rep.pending_at_end = std::move(pending_at_end_);
  if (auto* r = dynamic_cast<ReplayChooser*>(chooser_))
    rep.schedule_diverged = r->diverged() || r->position() != token_schedule_.decisions.size();

  Failure f;
  bool failed = true;
  if (error_) {
    f.error = error_;
    try {
      std::rethrow_exception(error_);
    } catch (const Deadlock& e) {
      f.kind = FailureKind::deadlock;
      f.message = e.what();
    } catch (const Hang& e) {
      f.kind = FailureKind::hang;
      f.message = e.what();
    } catch (...) {
      f.kind = FailureKind::exception;
      f.message = describe_exception(error_);
    }
  } else if (options_.fail_on_pending_tasks && !rep.pending_at_end.empty()) {
    f.kind = FailureKind::pending_task;
    f.message = fmt::format("{} task(s) still pending when main returned:\n  {}", rep.pending_at_end.size(),
                            fmt::join(rep.pending_at_end, "\n  "));
    f.error = std::make_exception_ptr(LeakError(f.message));
  } else if (options_.fail_on_unretrieved_exceptions &&
             std::any_of(rep.reports.begin(), rep.reports.end(), is_unretrieved_report)) {
    f.kind = FailureKind::unretrieved_exception;
    std::vector<std::string> lines;
    for (auto& r : rep.reports)
      if (is_unretrieved_report(r)) lines.push_back(r);
    f.message = fmt::format("{}", fmt::join(lines, "\n"));
    f.error = std::make_exception_ptr(LeakError(f.message));
  } else {
    failed = false;
  }
  if (failed) {
    if (rep.token.empty()) rep.token = s.to_token();
    f.strategy = static_cast<Strategy>(s.strategy);
    f.seed = s.seed;
    f.runs = 1;
    f.token = rep.token;
    f.replay_command = fmt::format("sim::replay(test, \"{}\")", rep.token);
    f.trace_hash = rep.trace_hash;
    f.trace = rep.trace;
    rep.failure = std::move(f);
  }
  return rep;
}

[[noreturn]] void throw_failure(const RunReport& report) {
  if (report.failure && report.failure->error) std::rethrow_exception(report.failure->error);
  throw SimulationError("the simulated run failed");
}

}  // namespace simloop::sim::detail
