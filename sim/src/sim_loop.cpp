#include <simloop/sim/sim_loop.hpp>
#include <simloop/task.hpp>

#include <cassert>

namespace simloop::sim {

void SimLoop::wait_for_work(std::optional<TimePoint> deadline) {
  if (!deadline) {
    throw Deadlock("deadlock at t=" + std::to_string(seconds(now_)) +
                   "s: no callback is ready and no timer is pending, but the main task has not finished.\n" +
                   describe_pending_tasks());
  }
  assert(*deadline >= now_);  // virtual time never goes backwards
  if (*deadline > now_) now_ = *deadline;
}

std::string SimLoop::describe_pending_tasks() const {
  std::string out;
  for (auto& t : all_tasks()) {
    out += "  " + t->name() + ": ";
    if (auto* f = t->waiting_on()) {
      if (f->is_task()) {
        out += "awaits task " + static_cast<detail::TaskBase*>(f)->name();
      } else {
        out += "awaits future #" + std::to_string(f->id());
      }
    } else {
      out += t->started() ? "not waiting on anything" : "never started";
    }
    out += "\n";
  }
  return out;
}

}  // namespace simloop::sim
