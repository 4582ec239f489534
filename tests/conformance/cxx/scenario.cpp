// The scenario validator: a port of interp.py's Validator (same checks, same
// order, messages close to its).
#include "scenario.hpp"

#include <algorithm>
#include <set>

namespace conformance {

const Body* Scenario::definition(const std::string& label) const {
  for (const auto& [name, body] : tasks)
    if (name == label) return &body;
  return nullptr;
}

namespace {

using T = Json::Type;

// Names a user error kind may not take (Python's builtins and asyncio's
// attributes that match [A-Z][A-Za-z0-9_]*, CPython 3.11).
const char* const kReservedKinds[] = {
    "ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BaseExceptionGroup",
    "BlockingIOError", "BrokenPipeError", "BufferError", "BytesWarning", "ChildProcessError",
    "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError", "ConnectionResetError",
    "DeprecationWarning", "EOFError", "Ellipsis", "EncodingWarning", "EnvironmentError", "Exception",
    "ExceptionGroup", "False", "FileExistsError", "FileNotFoundError", "FloatingPointError",
    "FutureWarning", "GeneratorExit", "IOError", "ImportError", "ImportWarning", "IndentationError",
    "IndexError", "InterruptedError", "IsADirectoryError", "KeyError", "KeyboardInterrupt",
    "LookupError", "MemoryError", "ModuleNotFoundError", "NameError", "None", "NotADirectoryError",
    "NotImplemented", "NotImplementedError", "OSError", "OverflowError", "PendingDeprecationWarning",
    "PermissionError", "ProcessLookupError", "RecursionError", "ReferenceError", "ResourceWarning",
    "RuntimeError", "RuntimeWarning", "StopAsyncIteration", "StopIteration", "SyntaxError",
    "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TimeoutError", "True", "TypeError",
    "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError",
    "UnicodeTranslateError", "UnicodeWarning", "UserWarning", "ValueError", "Warning",
    "ZeroDivisionError",
    // asyncio
    "ALL_COMPLETED", "AbstractChildWatcher", "AbstractEventLoop", "AbstractEventLoopPolicy",
    "AbstractServer", "Barrier", "BaseEventLoop", "BaseProtocol", "BaseTransport", "BoundedSemaphore",
    "BrokenBarrierError", "BufferedProtocol", "CancelledError", "Condition", "DatagramProtocol",
    "DatagramTransport", "DefaultEventLoopPolicy", "Event", "FIRST_COMPLETED", "FIRST_EXCEPTION",
    "FastChildWatcher", "Future", "Handle", "IncompleteReadError", "InvalidStateError", "LifoQueue",
    "LimitOverrunError", "Lock", "MultiLoopChildWatcher", "PidfdChildWatcher", "PriorityQueue",
    "Protocol", "Queue", "QueueEmpty", "QueueFull", "ReadTransport", "Runner", "SafeChildWatcher",
    "SelectorEventLoop", "Semaphore", "SendfileNotAvailableError", "Server", "StreamReader",
    "StreamReaderProtocol", "StreamWriter", "SubprocessProtocol", "SubprocessTransport", "Task",
    "TaskGroup", "ThreadedChildWatcher", "Timeout", "TimeoutError", "TimerHandle", "Transport",
    "WriteTransport"};

bool is_alnum_(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}
bool label_ok(const std::string& s) {
  if (s.empty() || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))) return false;
  return std::all_of(s.begin(), s.end(), is_alnum_);
}
bool is_user_kind(const Json& k) {
  if (!k.is(T::string)) return false;
  const std::string& s = k.s;
  if (s.empty() || s[0] < 'A' || s[0] > 'Z' || !std::all_of(s.begin(), s.end(), is_alnum_)) return false;
  return std::none_of(std::begin(kReservedKinds), std::end(kReservedKinds), [&](const char* r) { return s == r; });
}
bool printable(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

struct OpSpec {
  const char* name;
  OpKind kind;
  std::vector<std::string> required, optional;
};
const std::vector<OpSpec>& op_specs() {
  static const std::vector<OpSpec> specs = {
      {"sleep", OpKind::sleep, {"d"}, {}},
      {"log", OpKind::log, {"msg"}, {}},
      {"return", OpKind::return_, {}, {"value"}},
      {"raise", OpKind::raise, {"kind"}, {"msg"}},
      {"reraise", OpKind::reraise, {}, {}},
      {"await", OpKind::await, {"task"}, {}},
      {"cancel", OpKind::cancel, {"task"}, {"msg"}},
      {"spawn", OpKind::spawn, {"task"}, {"body", "group"}},
      {"gather", OpKind::gather, {"items"}, {"return_exceptions"}},
      {"wait", OpKind::wait, {"tasks"}, {"timeout", "return_when"}},
      {"wait_for", OpKind::wait_for, {"item"}, {"timeout"}},
      {"as_completed", OpKind::as_completed, {"tasks"}, {"timeout", "catch"}},
      {"shield", OpKind::shield, {"item"}, {}},
      {"timeout", OpKind::timeout, {"d", "body"}, {}},
      {"taskgroup", OpKind::taskgroup, {"body"}, {}},
      {"try", OpKind::try_, {"body", "catch"}, {}},
      {"uncancel", OpKind::uncancel, {}, {}},
      {"cancelling", OpKind::cancelling, {}, {}},
      {"state", OpKind::state, {"task"}, {}},
      {"call", OpKind::call, {"body"}, {}},
  };
  return specs;
}

std::string join_sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  std::string out = "[";
  for (std::size_t k = 0; k < v.size(); ++k) out += (k ? ", '" : "'") + v[k] + "'";
  return out + "]";
}

class Validator {
 public:
  Scenario run(const Json& sc) {
    if (!sc.is(T::object) || !sc.find("main")) fail("top", "a scenario is an object with a 'main' body");
    Scenario out;
    if (const Json* defs = sc.find("tasks")) {
      if (!defs->is(T::object)) fail("tasks", "must be an object name -> body");
      // Document order, a repeated key keeping its first position and last value (a dict).
      std::vector<std::string> names;
      for (const auto& [k, v] : defs->members)
        if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
      for (const auto& name : names) new_label("tasks." + name, name);
      defs_ = names;
      for (const auto& name : names) out.tasks.emplace_back(name, body("tasks." + name, *defs->find(name), false, false));
    }
    out.main = body("main", *sc.find("main"), false, false);
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& msg) {
    throw ScenarioError{"invalid scenario at " + where + ": " + msg};
  }
  std::string check_str(const std::string& where, const Json& s, bool nonempty = false) {
    if (!s.is(T::string)) fail(where, "expected a string, got " + s.repr());
    if (!printable(s.s)) fail(where, "strings must be printable ASCII: " + s.repr());
    if (nonempty && s.s.empty()) fail(where, "must be a non-empty string");
    return s.s;
  }
  std::optional<std::int64_t> check_ticks(const std::string& where, const Json* d, bool nullable) {
    if (nullable && (!d || d->is(T::null))) return std::nullopt;
    if (!d || !d->is(T::integer) || d->big || d->i < 0 || d->i > 1'000'000'000'000)
      fail(where, std::string("expected a tick count (int >= 0)") + (nullable ? " or null" : "") + ", got " +
                      (d ? d->repr() : "None"));
    return d->i;
  }
  Value check_value(const std::string& where, const Json* v) {
    if (!v || v->is(T::null)) return Value{};
    switch (v->type) {
      case T::boolean: fail(where, "booleans are not values");
      case T::integer:
        if (v->big) fail(where, "int out of 64-bit range");
        return Value{v->i};
      case T::string: return Value{check_str(where, *v)};
      case T::array: {
        std::vector<Value> l;
        for (std::size_t k = 0; k < v->items.size(); ++k)
          l.push_back(check_value(where + "[" + std::to_string(k) + "]", &v->items[k]));
        return Value{std::move(l)};
      }
      default: fail(where, "values are int, string, null or list: " + v->repr());
    }
  }
  void new_label(const std::string& where, const std::string& label) {
    if (!label_ok(label)) fail(where, "bad label '" + label + "' (want [A-Za-z][A-Za-z0-9_]*)");
    if (label == "main" || labels_.count(label)) fail(where, "label '" + label + "' is not unique");
    labels_.insert(label);
  }
  std::string check_ref(const std::string& where, const Json& ref) {
    if (!ref.is(T::string) || !label_ok(ref.s)) fail(where, "bad task reference " + ref.repr());
    return ref.s;
  }
  bool check_bool(const std::string& where, const Json* b, const char* what) {
    if (!b) return false;
    if (!b->is(T::boolean)) fail(where, std::string(what) + " must be a boolean");
    return b->b;
  }

  Body body(const std::string& where, const Json& ops, bool in_tg, bool in_handler) {
    if (!ops.is(T::array)) fail(where, "a body is a list of ops");
    Body out;
    for (std::size_t k = 0; k < ops.items.size(); ++k)
      out.push_back(op(where + "[" + std::to_string(k) + "]", ops.items[k], in_tg, in_handler));
    return out;
  }

  Item item(const std::string& where, const Json& it, bool allow_gather) {
    Item out;
    if (it.is(T::string)) {
      out.kind = Item::Kind::ref;
      out.name = check_ref(where, it);
      return out;
    }
    if (!it.is(T::object)) fail(where, "an item is a task name, {name, body} or {gather, return_exceptions}");
    if (const Json* g = it.find("gather")) {
      if (!allow_gather) fail(where, "a gather item is not allowed here (tasks only)");
      std::vector<std::string> extra;
      for (const auto& [k, v] : it.members)
        if (k != "gather" && k != "return_exceptions") extra.push_back(k);
      if (!extra.empty()) fail(where, "unknown fields " + join_sorted(extra));
      out.kind = Item::Kind::gather;
      out.return_exceptions = check_bool(where, it.find("return_exceptions"), "return_exceptions");
      if (!g->is(T::array)) fail(where, "gather must be a list of items");
      for (std::size_t k = 0; k < g->items.size(); ++k)
        out.items.push_back(item(where + ".gather[" + std::to_string(k) + "]", g->items[k], true));
      return out;
    }
    const Json* name = it.find("name");
    const Json* b = it.find("body");
    bool extra = std::any_of(it.members.begin(), it.members.end(),
                             [](const auto& m) { return m.first != "name" && m.first != "body"; });
    if (extra || !name || !b) fail(where, "an inline item is exactly {name, body}");
    if (!name->is(T::string)) fail(where, "bad label " + name->repr() + " (want [A-Za-z][A-Za-z0-9_]*)");
    new_label(where, name->s);
    out.kind = Item::Kind::inline_body;
    out.name = name->s;
    out.body = body(where + "(" + name->s + ")", *b, false, false);
    return out;
  }

  Op op(const std::string& where, const Json& j, bool in_tg, bool in_handler) {
    const Json* opname = j.is(T::object) ? j.find("op") : nullptr;
    if (!opname || !opname->is(T::string)) fail(where, "an op is an object with an 'op' field");
    const OpSpec* spec = nullptr;
    for (const auto& s : op_specs())
      if (opname->s == s.name) spec = &s;
    if (!spec) fail(where, "unknown op '" + opname->s + "'");
    std::vector<std::string> missing, unknown;
    for (const auto& r : spec->required)
      if (!j.find(r)) missing.push_back(r);
    if (!missing.empty()) fail(where, opname->s + " needs " + join_sorted(missing));
    for (const auto& [k, v] : j.members) {
      if (k == "op") continue;
      bool known = std::count(spec->required.begin(), spec->required.end(), k) ||
                   std::count(spec->optional.begin(), spec->optional.end(), k);
      if (!known && std::find(unknown.begin(), unknown.end(), k) == unknown.end()) unknown.push_back(k);
    }
    if (!unknown.empty()) fail(where, opname->s + ": unknown fields " + join_sorted(unknown));
    const std::string w = where + ":" + opname->s;
    Op o;
    o.kind = spec->kind;
    switch (o.kind) {
      case OpKind::sleep: o.ticks = check_ticks(w, j.find("d"), false); break;
      case OpKind::log: o.msg = check_str(w, *j.find("msg")); break;
      case OpKind::return_: o.value = check_value(w, j.find("value")); break;
      case OpKind::raise: {
        const Json& k = *j.find("kind");
        bool builtin = k.is(T::string) && (k.s == "CancelledError" || k.s == "TimeoutError");
        if (!builtin && !is_user_kind(k))
          fail(w, "error kind " + k.repr() +
                      ": CancelledError, TimeoutError or a user kind ([A-Z][A-Za-z0-9_]*, not a Python builtin or "
                      "asyncio name)");
        o.error_kind = k.s;
        if (const Json* m = j.find("msg")) o.msg = check_str(w, *m, k.s == "CancelledError");
        break;
      }
      case OpKind::reraise:
        if (!in_handler) fail(w, "reraise outside a catch handler");
        break;
      case OpKind::await:
      case OpKind::state: o.task = check_ref(w, *j.find("task")); break;
      case OpKind::cancel:
        o.task = check_ref(w, *j.find("task"));
        if (const Json* m = j.find("msg")) o.msg = check_str(w, *m, true);
        break;
      case OpKind::spawn: {
        o.flag = check_bool(w, j.find("group"), "group");
        if (o.flag && !in_tg) fail(w, "group spawn outside a taskgroup body");
        const Json& task = *j.find("task");
        if (const Json* b = j.find("body")) {
          if (!task.is(T::string)) fail(w, "bad label " + task.repr() + " (want [A-Za-z][A-Za-z0-9_]*)");
          new_label(w, task.s);
          o.has_body = true;
          o.body = body(w + "(" + task.s + ")", *b, false, false);
        } else if (!task.is(T::string) || std::find(defs_.begin(), defs_.end(), task.s) == defs_.end()) {
          fail(w, "spawn of " + task.repr() + ": no such task definition (or give a body)");
        }
        o.task = task.s;
        break;
      }
      case OpKind::gather: {
        o.flag = check_bool(w, j.find("return_exceptions"), "return_exceptions");
        const Json& items = *j.find("items");
        if (!items.is(T::array)) fail(w, "items must be a list");
        for (std::size_t k = 0; k < items.items.size(); ++k)
          o.items.push_back(item(w + ".items[" + std::to_string(k) + "]", items.items[k], true));
        break;
      }
      case OpKind::wait:
      case OpKind::as_completed: {
        o.ticks = check_ticks(w, j.find("timeout"), true);
        if (o.kind == OpKind::wait) {
          const Json* rw = j.find("return_when");
          std::string s = rw ? (rw->is(T::string) ? rw->s : std::string("?")) : "ALL_COMPLETED";
          if (s == "ALL_COMPLETED") o.return_when = ReturnWhenKind::all_completed;
          else if (s == "FIRST_COMPLETED") o.return_when = ReturnWhenKind::first_completed;
          else if (s == "FIRST_EXCEPTION") o.return_when = ReturnWhenKind::first_exception;
          else fail(w, "return_when must be one of ['ALL_COMPLETED', 'FIRST_COMPLETED', 'FIRST_EXCEPTION']");
        } else {
          o.flag = check_bool(w, j.find("catch"), "catch");
        }
        const Json& tasks = *j.find("tasks");
        if (!tasks.is(T::array)) fail(w, "tasks must be a list");
        std::set<std::string> seen;
        for (std::size_t k = 0; k < tasks.items.size(); ++k) {
          o.items.push_back(item(w + ".tasks[" + std::to_string(k) + "]", tasks.items[k], false));
          const std::string& key = o.items.back().name;
          if (!seen.insert(key).second) fail(w, "'" + key + "' listed twice");
        }
        break;
      }
      case OpKind::wait_for:
        o.ticks = check_ticks(w, j.find("timeout"), true);
        o.items.push_back(item(w + ".item", *j.find("item"), true));
        break;
      case OpKind::shield: o.items.push_back(item(w + ".item", *j.find("item"), true)); break;
      case OpKind::timeout:
        o.ticks = check_ticks(w, j.find("d"), true);
        o.body = body(w, *j.find("body"), in_tg, in_handler);
        break;
      case OpKind::taskgroup: o.body = body(w, *j.find("body"), true, in_handler); break;
      case OpKind::try_: {
        o.body = body(w, *j.find("body"), in_tg, in_handler);
        const Json& c = *j.find("catch");
        if (!c.is(T::array) || c.items.empty()) fail(w, "catch must be a non-empty list of {kind, body}");
        for (std::size_t k = 0; k < c.items.size(); ++k) {
          const std::string cw = w + ".catch[" + std::to_string(k) + "]";
          const Json& cl = c.items[k];
          bool exact = cl.is(T::object) && cl.find("kind") && cl.find("body") &&
                       std::all_of(cl.members.begin(), cl.members.end(),
                                   [](const auto& m) { return m.first == "kind" || m.first == "body"; });
          if (!exact) fail(cw, "a catch clause is exactly {kind, body}");
          const Json& kind = *cl.find("kind");
          static const char* const builtin[] = {"CancelledError", "TimeoutError", "ExceptionGroup",
                                                "Exception",      "ValueError",   "RuntimeError"};
          bool ok = kind.is(T::string) &&
                    std::any_of(std::begin(builtin), std::end(builtin), [&](const char* b) { return kind.s == b; });
          if (!ok && !is_user_kind(kind)) fail(cw, "bad kind " + kind.repr());
          o.catches.push_back(CatchClause{kind.s, body(cw, *cl.find("body"), in_tg, true)});
        }
        break;
      }
      case OpKind::uncancel:
      case OpKind::cancelling: break;
      case OpKind::call: o.body = body(w, *j.find("body"), false, false); break;
    }
    return o;
  }

  std::set<std::string> labels_;
  std::vector<std::string> defs_;
};

}  // namespace

Scenario load_scenario(const Json& doc) { return Validator().run(doc); }

}  // namespace conformance
