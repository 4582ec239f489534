#pragma once
// The scenario model (README.md, "Scenario format"), built from JSON by
// load_scenario, which also validates it exactly as interp.py's Validator:
// unknown ops and fields, bad labels, duplicate labels, bad kinds, bad
// values... are ScenarioErrors ("#error ..." in the trace).
#include "json.hpp"
#include "values.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace conformance {

enum class OpKind : std::uint8_t {
  sleep, log, return_, raise, reraise, await, cancel, spawn, gather, wait, wait_for,
  as_completed, shield, timeout, taskgroup, try_, uncancel, cancelling, state, call
};
enum class ReturnWhenKind : std::uint8_t { all_completed, first_completed, first_exception };

struct Op;
using Body = std::vector<Op>;

// An awaitable argument: a reference to a task, an inline body, or a nested gather.
struct Item {
  enum class Kind : std::uint8_t { ref, inline_body, gather };
  Kind kind = Kind::ref;
  std::string name;              // ref: the task referenced; inline_body: its label
  Body body;                     // inline_body
  std::vector<Item> items;       // gather
  bool return_exceptions = false;  // gather
};

struct CatchClause {
  std::string kind;
  Body body;
};

struct Op {
  OpKind kind = OpKind::log;
  std::string task;                   // await, cancel, spawn, state
  std::optional<std::string> msg;     // log, raise, cancel
  std::string error_kind;             // raise
  Value value;                        // return
  std::optional<std::int64_t> ticks;  // sleep d, timeout d, wait/wait_for/as_completed timeout
  ReturnWhenKind return_when = ReturnWhenKind::all_completed;
  bool flag = false;                  // spawn group, gather return_exceptions, as_completed catch
  bool has_body = false;              // spawn
  Body body;                          // spawn, timeout, taskgroup, try, call
  std::vector<Item> items;            // gather items, wait/as_completed tasks, wait_for/shield item
  std::vector<CatchClause> catches;   // try
};

struct Scenario {
  std::vector<std::pair<std::string, Body>> tasks;  // definitions, document order
  Body main;
  const Body* definition(const std::string& label) const;
};

// Validates and converts; throws ScenarioError("invalid scenario at ...").
Scenario load_scenario(const Json& doc);

}  // namespace conformance
