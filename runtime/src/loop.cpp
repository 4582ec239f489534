#include <simloop/detail/timer_future.hpp>
#include <simloop/loop.hpp>
#include <simloop/task.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>

namespace simloop {

namespace detail {
thread_local constinit Loop* tl_running_loop = nullptr;

void throw_no_running_loop() {
  throw std::runtime_error(
      "no running event loop: call this from a coroutine run by simloop::run() or simloop::sim::run()");
}
}  // namespace detail

namespace {
using detail::tl_running_loop;

// Live loops by serial, so a future that outlives its loop can tell (it then
// reports to stderr instead of a dangling loop). Looked up, never iterated.
std::unordered_map<std::uint64_t, Loop*>& live_loops() {
  static std::unordered_map<std::uint64_t, Loop*> m;
  return m;
}
std::uint64_t g_loop_serial = 0;

// Restores the running-loop slot even when run_forever unwinds.
struct RunningGuard {
  Loop* self;
  Loop* saved;
  bool& running;
  RunningGuard(Loop* s, bool& r) : self(s), saved(tl_running_loop), running(r) {
    tl_running_loop = s;
    running = true;
  }
  ~RunningGuard() {
    tl_running_loop = saved;
    running = false;
  }
};
}  // namespace

const char* to_string(ChoicePoint why) noexcept {
  switch (why) {
    case ChoicePoint::ready_order: return "ready_order";
    case ChoicePoint::timer_tie: return "timer_tie";
    case ChoicePoint::timer_jitter: return "timer_jitter";
    case ChoicePoint::executor_latency: return "executor_latency";
    case ChoicePoint::io_latency: return "io_latency";
    case ChoicePoint::buggify: return "buggify";
  }
  return "?";
}

void Handle::cancel_slow() {
  s_->cancelled = true;
  s_->callback.reset();  // release what the callback captured, as TimerHandle.cancel does
  if (s_->scheduled_on) s_->scheduled_on->timer_handle_cancelled();
}

namespace detail {
static_assert(sizeof(TimerFuture) == sizeof(FutureBase) + 8, "a sleep's timer fields are one word");

void TimerFuture::cancel_timer() noexcept {
  if (timer_cancelled_) return;
  timer_cancelled_ = true;
  if (queued_) loop().timer_handle_cancelled();
}
}  // namespace detail

detail::HandleState* Loop::TimerEntry::handle() const noexcept { return static_cast<detail::HandleState*>(ref()); }
detail::TimerFuture* Loop::TimerEntry::future() const noexcept { return static_cast<detail::TimerFuture*>(ref()); }
bool Loop::TimerEntry::cancelled() const noexcept {
  return is_future() ? future()->timer_cancelled_ : handle()->cancelled;
}
std::uint64_t ReadyItem::owner_task() const noexcept {
  switch (kind()) {
    case Kind::step: return static_cast<const detail::TaskBase*>(obj())->task_id();
    case Kind::callback: return static_cast<const detail::DoneListener*>(obj())->owner_task();
    case Kind::handle: return static_cast<const detail::HandleState*>(obj())->owner_task;
    case Kind::timer: return static_cast<const detail::TimerFuture*>(obj())->owner_task_;
  }
  return 0;
}

std::uint64_t Loop::TimerEntry::owner_task() const noexcept {
  return is_future() ? future()->owner_task_ : handle()->owner_task;
}
void Loop::TimerEntry::set_queued(Loop* loop) const noexcept {
  if (is_future()) {
    future()->queued_ = loop != nullptr;
  } else {
    handle()->scheduled_on = loop;
  }
}

Loop::Loop() : serial_(++g_loop_serial) { live_loops().emplace(serial_, this); }

Loop::~Loop() {
  // A concrete loop calls close() in its own destructor; this is the backstop.
  closed_ = true;
  clear_scheduled();
  live_loops().erase(serial_);
}

Loop* Loop::find_live(std::uint64_t serial) noexcept {
  auto& m = live_loops();
  auto it = m.find(serial);
  return it == m.end() ? nullptr : it->second;
}

void Loop::close() noexcept {
  if (closed_) return;
  closed_ = true;
  default_executor_.reset();  // joins the default executor's threads (executor.hpp)
  // Destroying a frame runs destructors that may schedule callbacks or end
  // other tasks; take a snapshot first and keep each task alive meanwhile.
  auto pending = all_tasks();
  for (auto& t : pending) {
    if (t->done()) continue;
    try {
      report("Task was destroyed but it is pending! (" + t->name() + ")");
    } catch (...) {
    }
    t->abandon();
    unregister_task(*t);
  }
  clear_scheduled();
}

void Loop::clear_scheduled() noexcept {
  ready_.clear();
  timers_.for_each([](const TimerEntry& e) {
    e.set_queued(nullptr);
    e.ref()->release();
  });
  timers_.clear();
  timer_cancelled_count_ = 0;
  drop_ties();
}

Handle Loop::call_soon(detail::UniqueFunction<void()> cb) {
  auto h = detail::make_ref<detail::HandleState>();
  h->callback = std::move(cb);
  h->seq = ++handle_seq_;
  h->owner_task = current_task_id();
  ready_.emplace_back(ReadyItem::Kind::handle, detail::Ref<detail::RefCounted>(h));
  return Handle(std::move(h));
}

Handle Loop::call_soon_threadsafe(detail::UniqueFunction<void()> cb) { return call_soon(std::move(cb)); }

TimerHandle Loop::call_later(Duration delay, detail::UniqueFunction<void()> cb) {
  return call_at(time() + delay, std::move(cb));
}

TimerHandle Loop::call_at(TimePoint when, detail::UniqueFunction<void()> cb) {
  auto h = detail::make_ref<detail::HandleState>();
  h->callback = std::move(cb);
  h->when = when + timer_jitter();
  h->seq = ++handle_seq_;
  h->owner_task = current_task_id();
  h->is_timer = true;
  h->add_ref();  // the queue's reference
  const auto obj = reinterpret_cast<std::uintptr_t>(static_cast<detail::RefCounted*>(h.get()));
  push_timer(TimerEntry{h->when, h->seq, obj});
  return TimerHandle(std::move(h));
}

detail::Ref<detail::TimerFuture> Loop::sleep_timer(Duration delay) {
  // The steps of call_later(delay, cb) in its order: the future first (it
  // takes a future id), then the jitter choice, then the registration number.
  detail::Ref<detail::TimerFuture> f(new detail::TimerFuture(*this));
  const TimePoint when = time() + delay + timer_jitter();
  const std::uint64_t seq = ++handle_seq_;
  f->owner_task_ = current_task_id();
  f->add_ref();  // the queue's reference
  const auto obj = reinterpret_cast<std::uintptr_t>(static_cast<detail::RefCounted*>(f.get()));
  push_timer(TimerEntry{when, seq, obj | TimerEntry::kFutureBit});
  return f;
}

void Loop::push_timer(TimerEntry e) {
  e.set_queued(this);
  timers_.push(e);
}

Loop::TimerEntry Loop::pop_timer() {
  TimerEntry e = timers_.pop();
  e.set_queued(nullptr);
  if (e.cancelled()) --timer_cancelled_count_;
  return e;
}

void Loop::purge_cancelled_timers() {
  // asyncio's _run_once: with more than 100 timers of which over half are
  // cancelled, drop them from the queue. Its order is total (deadline, then
  // registration), so this changes no firing order.
  if (timers_.size() <= 100 || timer_cancelled_count_ * 2 <= timers_.size()) return;
  timers_.remove_if([](const TimerEntry& e) {
    if (!e.cancelled()) return false;
    e.set_queued(nullptr);
    e.ref()->release();
    return true;
  });
  timer_cancelled_count_ = 0;
}

std::optional<TimePoint> Loop::next_timer_deadline() {
  while (!timers_.empty() && timers_.top().cancelled()) pop_timer().ref()->release();
  if (timers_.empty()) return std::nullopt;
  return timers_.top().when;
}

std::size_t Loop::choose(std::size_t, ChoicePoint, std::span<const std::uint64_t>) { return 0; }

void Loop::drop_ties() noexcept {
  for (const TimerEntry& e : tie_buf_) e.ref()->release();
  tie_buf_.clear();
}

void Loop::fire_timer(TimerEntry e) {
  detail::Ref<detail::RefCounted> obj(e.ref());
  e.ref()->release();  // the entry's reference is obj's now, even if the observer throws
  // A sleep's timer wakes its task two iterations from now (fire, then the
  // wake-up): start fetching the task, whose frame fire() fetches next.
  if (e.is_future()) __builtin_prefetch(e.future()->first_listener());
  if (observer_) observer_->on_timer_fired(e.owner_task(), e.seq);
  ready_.emplace_back(e.is_future() ? ReadyItem::Kind::timer : ReadyItem::Kind::handle, std::move(obj));
}

void Loop::move_due_timers(TimePoint now) {
  // Every due timer goes to the end of the ready queue in deadline order [S4];
  // timers due at the very same instant are a choice point [S5].
  while (!timers_.empty()) {
    if (const TimerEntry& next = timers_.top(); next.when > now) {
      // The next timer's handle is known now (top() settled it) but is used
      // an iteration or two later: fetch it meanwhile. With 10^6 timers
      // (bench W3) handles are touched in deadline order, not allocation
      // order, so each is a cache miss; together with the prefetch in
      // schedule_callback this made W3 1.18x faster side by side
      // (bench/README.md).
      __builtin_prefetch(next.ref());
      break;
    }
    TimerEntry e = pop_timer();
    if (e.cancelled()) {
      e.ref()->release();
      continue;
    }
    if (!explore_timer_ties_ || timers_.empty() || timers_.top().when != e.when) {
      fire_timer(e);
      continue;
    }
    drop_ties();  // empty, unless a choice threw last time
    tie_buf_.push_back(e);
    while (!timers_.empty() && timers_.top().when == e.when) {
      TimerEntry t = pop_timer();
      if (t.cancelled()) {
        t.ref()->release();
      } else {
        tie_buf_.push_back(t);
      }
    }
    while (!tie_buf_.empty()) {
      std::size_t i = 0;
      if (tie_buf_.size() > 1) {
        choice_tasks_.clear();
        for (const TimerEntry& t : tie_buf_) choice_tasks_.push_back(t.owner_task());
        i = choose(tie_buf_.size(), ChoicePoint::timer_tie, choice_tasks_);
      }
      const TimerEntry t = tie_buf_[i];
      tie_buf_.erase(tie_buf_.begin() + static_cast<std::ptrdiff_t>(i));
      fire_timer(t);
    }
  }
}

void Loop::run_once() {
  ++iterations_;
  if (timer_cancelled_count_ != 0) purge_cancelled_timers();
  if (polls_external_) poll_external();
  if (ready_.empty() && !stopping_) {
    // Nothing to do: let time pass until the earliest live timer [S6]. A timer
    // already overdue (call_at in the past) needs no wait: asyncio's select
    // timeout is max(0, when - now).
    auto deadline = next_timer_deadline();
    if (!deadline || *deadline > time()) wait_for_work(deadline);
  }
  if (!timers_.empty()) move_due_timers(time());

  // Run exactly the callbacks that were ready when this iteration started [S2].
  std::size_t ntodo = ready_.size();
  while (ntodo > 0) {
    std::size_t i = 0;
    if (explore_ready_order_ && ready_.size() > 1) {
      // Any ready callback may run next, also one scheduled during this
      // iteration (beyond asyncio's FIFO guarantee, on purpose); index 0 is
      // still the head. The iteration ends when its own batch has run.
      choice_tasks_.clear();
      for (std::size_t k = 0; k < ready_.size(); ++k) choice_tasks_.push_back(ready_[k].owner_task());
      i = choose(ready_.size(), ChoicePoint::ready_order, choice_tasks_);
    }
    ReadyItem item = i == 0 ? ready_.take_front() : ready_.take(i);
    if (i < ntodo) --ntodo;
    const ReadyItem::Kind kind = item.kind();
    if (kind == ReadyItem::Kind::step) {
      // A task's step, most items: nothing to skip, no callback event (the
      // observer hears of it in step). Its own branch, not a case of the
      // switch below: one shared path measured 9 more instructions a task
      // switch (bench W2) and 17 a task (W1b).
      if (++steps_ > steps_limit_) [[unlikely]]
        on_steps_limit(item);
      try {
        static_cast<detail::TaskBase*>(item.obj())->step(nullptr);
      } catch (...) {
        report_callback_exception();
      }
      continue;
    }
    const bool is_handle = kind == ReadyItem::Kind::handle || kind == ReadyItem::Kind::timer;
    if (is_handle && (kind == ReadyItem::Kind::handle ? static_cast<detail::HandleState*>(item.obj())->cancelled
                                                      : static_cast<detail::TimerFuture*>(item.obj())->timer_cancelled()))
      continue;  // never runs [S3]
    if (++steps_ > steps_limit_) [[unlikely]]
      on_steps_limit(item);
    if (observer_ && is_handle) observer_->on_callback(item.owner_task());
    try {
      switch (kind) {
        case ReadyItem::Kind::step:
          break;  // never here: steps take the branch above
        case ReadyItem::Kind::callback:
          static_cast<detail::DoneListener*>(item.obj())->run_done(detail::Ref<detail::FutureBase>(item.take_arg()));
          break;
        case ReadyItem::Kind::handle: {
          // Moved out first: the handle drops what the callback captured once it ran.
          auto cb = std::move(static_cast<detail::HandleState*>(item.obj())->callback);
          if (cb) cb();
          break;
        }
        case ReadyItem::Kind::timer:
          static_cast<detail::TimerFuture*>(item.obj())->fire();
          break;
      }
    } catch (...) {
      report_callback_exception();
    }
  }
}

void Loop::report_callback_exception() {
  // As asyncio's Handle._run: a callback that raises is reported, and the
  // loop goes on with the next one.
  report("Exception in callback: " + describe_exception(std::current_exception()));
}

void Loop::run_forever() {
  if (running_) throw std::runtime_error("this event loop is already running: await the work instead of running the loop again");
  if (tl_running_loop)
    throw std::runtime_error(
        "cannot run an event loop while another loop is running on this thread: "
        "co_await the coroutine (or create_task it) instead of calling run() inside a coroutine");
  RunningGuard guard(this, running_);
  stopping_ = false;
  while (true) {
    run_once();
    if (stopping_) break;
  }
  stopping_ = false;
}


void Loop::register_task(detail::TaskBase& t) {
  if (tasks_.size() >= detail::TaskBase::kNoSlot)
    throw std::length_error("too many live tasks in one loop (the limit is 2^32 - 1): let some finish first");
  t.add_ref();  // the loop keeps a pending task alive until it finishes
  t.loop_slot_ = static_cast<std::uint32_t>(tasks_.size());
  tasks_.push_back(&t);
}

void Loop::unregister_task(detail::TaskBase& t) {
  if (t.loop_slot_ == detail::TaskBase::kNoSlot) return;
  tasks_[t.loop_slot_] = nullptr;
  t.loop_slot_ = detail::TaskBase::kNoSlot;
  ++task_holes_;
  if (task_holes_ > 32 && task_holes_ * 2 > tasks_.size()) {
    std::uint32_t w = 0;
    for (auto* p : tasks_) {
      if (!p) continue;
      p->loop_slot_ = w;
      tasks_[w++] = p;
    }
    tasks_.resize(w);
    task_holes_ = 0;
  }
  t.release();
}

std::vector<detail::Ref<detail::TaskBase>> Loop::all_tasks() const {
  std::vector<detail::Ref<detail::TaskBase>> out;
  for (auto* p : tasks_)
    if (p) out.emplace_back(p);
  return out;
}

void Loop::enter_task_conflict(detail::TaskBase& t) {
  throw std::runtime_error("cannot enter task " + t.name() + " while task " + current_task_->name() + " is running");
}

void Loop::report(const std::string& message) {
  if (observer_) observer_->on_exception_report(message);
  std::fprintf(stderr, "simloop: %s\n", message.c_str());
}

void Loop::cancel_all_tasks() {
  auto tasks = all_tasks();
  if (tasks.empty()) return;
  for (auto& t : tasks) t->cancel();
  // Run until every one of them is done (asyncio.run gathers them with
  // return_exceptions=True). A task that refuses to finish is the caller's
  // problem: the simulator's deadlock/hang detection reports it.
  // The stop is scheduled one iteration after the last task ends, as
  // run_until_complete(gather(...)) would: gather's outer future completes in
  // the last child's callback, and its done callback stops the loop.
  std::size_t remaining = tasks.size();
  for (auto& t : tasks) {
    t->add_done_callback([&remaining, this](detail::FutureBase*) {
      if (--remaining == 0) call_soon([this] { stop(); });
    });
  }
  run_forever();
  for (auto& t : tasks) {
    if (!t->done() || t->cancelled()) continue;
    if (auto e = t->exception())
      report("unhandled exception during shutdown in " + t->name() + ": " + describe_exception(e));
  }
}

}  // namespace simloop
