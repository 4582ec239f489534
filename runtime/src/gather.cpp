// gather's future: CPython 3.11 tasks.py _GatheringFuture.cancel and
// gather()._done_callback, ported line by line (see detail/gathering.hpp).
#include <simloop/detail/gathering.hpp>
#include <simloop/loop.hpp>

#include <cassert>
#include <utility>

namespace simloop::detail {

GatheringCore::GatheringCore(Loop& loop, bool return_exceptions)
    : FutureBase(loop), owner_task_(loop.current_task_id()), return_exceptions_(return_exceptions) {}

bool GatheringCore::cancel(std::string msg) {
  if (done()) return false;
  bool ret = false;
  // By index: a child's cancel() never runs callbacks inline, but stay safe
  // should the list change underneath.
  for (std::size_t i = 0; i < children_.size(); ++i) {
    Ref<FutureBase> child = children_[i];
    if (child->cancel(msg)) ret = true;
  }
  // Some child accepted: the gather must end in CancelledError whatever
  // return_exceptions says (bpo-32684).
  if (ret) cancel_requested_ = true;
  return ret;
}

void GatheringCore::add_child(Ref<FutureBase> child, bool first) {
  assert(!sealed_);
  if (first) {
    ++nfuts_;
    child->add_done_listener(Ref<DoneListener>(this));  // on_future_done: on_child_done
  }
  children_.push_back(std::move(child));
}

void GatheringCore::on_child_done(FutureBase* child) {
  ++nfinished_;

  if (!sealed_ || done()) {
    if (!child->cancelled()) child->retrieve_exception();  // mark the exception retrieved
    if (done()) drop_children();
    return;
  }

  if (!return_exceptions_) {
    if (child->cancelled()) {
      // [S48] Its CancelledError (the very one the task raised, if any).
      set_exception(child->make_cancelled_error());
      drop_children();
      return;
    }
    if (const std::exception_ptr& exc = child->retrieve_exception()) {
      set_exception(exc);  // [S45] at once; siblings keep running
      drop_children();
      return;
    }
  }

  if (nfinished_ == nfuts_) {
    store_results();
    if (cancel_requested_) {
      // CPython takes the CancelledError of `fut`, which after its results
      // loop is the *last* child of the argument list.
      set_exception(children_.back()->make_cancelled_error());
    } else {
      mark_result_set();
    }
    drop_children();
  }
}

}  // namespace simloop::detail
