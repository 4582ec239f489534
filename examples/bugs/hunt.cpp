// simloop_hunt: finds every bug of the gallery from seeds, replays it from its
// token, and shows that the fix survives ten times the budget.
//
//   simloop_hunt                        hunt every bug (what `./simloop hunt` runs)
//   simloop_hunt --verbose              ... and print each failing run's trace timeline
//   simloop_hunt --bug cache            one bug only
//   simloop_hunt --strategy pct         another strategy (random, pct, dfs)
//   simloop_hunt --seed 1000            start the seed range elsewhere
//   simloop_hunt --replay ID TOKEN      replay a printed token against bug ID
//   simloop_hunt --measure [--hunts N]  the numbers in README.md: runs to find
//                                       each bug under each strategy
//   simloop_hunt --list                 the gallery
//
// Exit code 0 when every bug hunted was found, its token replayed the same
// failure with the same trace hash, and every fix passed; 1 otherwise; 2 for a
// usage error.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <simloop/sim/explore.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gallery.hpp"

namespace sl = simloop;
namespace sim = simloop::sim;

namespace {

struct Args {
  bool verbose = false;
  bool measure = false;
  bool list = false;
  std::string bug;  // empty: all
  sim::Strategy strategy = sim::Strategy::random;
  std::uint64_t seed = 0;
  std::optional<std::uint64_t> runs;  // default: the bug's budget
  std::uint64_t hunts = 100;          // --measure: hunts per bug and strategy
  std::string replay_token;
};

[[noreturn]] void usage(const std::string& error) {
  std::fprintf(stderr,
               "simloop_hunt: %s\n"
               "usage: simloop_hunt [--verbose] [--bug ID] [--strategy random|pct|dfs] [--seed N] [--runs N]\n"
               "       simloop_hunt --replay ID TOKEN [--verbose]\n"
               "       simloop_hunt --measure [--hunts N] [--bug ID]\n"
               "       simloop_hunt --list\n",
               error.c_str());
  std::exit(2);
}

std::uint64_t parse_number(const char* s, const char* what) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (!*s || *end) usage(fmt::format("{} needs a number, got '{}'", what, s));
  return v;
}

Args parse_args(int argc, char** argv) {
  Args a;
  auto value = [&](int& i, const char* opt) -> const char* {
    if (i + 1 >= argc) usage(fmt::format("{} needs a value", opt));
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view opt = argv[i];
    if (opt == "--verbose" || opt == "-v") {
      a.verbose = true;
    } else if (opt == "--measure") {
      a.measure = true;
    } else if (opt == "--list") {
      a.list = true;
    } else if (opt == "--bug") {
      a.bug = value(i, "--bug");
    } else if (opt == "--strategy") {
      auto s = sim::parse_strategy(value(i, "--strategy"));
      if (!s || (*s != sim::Strategy::random && *s != sim::Strategy::pct && *s != sim::Strategy::dfs))
        usage("--strategy is one of random, pct, dfs");
      a.strategy = *s;
    } else if (opt == "--seed") {
      a.seed = parse_number(value(i, "--seed"), "--seed");
    } else if (opt == "--runs") {
      a.runs = parse_number(value(i, "--runs"), "--runs");
    } else if (opt == "--hunts") {
      a.hunts = parse_number(value(i, "--hunts"), "--hunts");
    } else if (opt == "--replay") {
      a.bug = value(i, "--replay");
      a.replay_token = value(i, "--replay");
    } else {
      usage(fmt::format("unknown option '{}'", opt));
    }
  }
  return a;
}

std::vector<const bugs::Bug*> select(const std::string& id) {
  std::vector<const bugs::Bug*> out;
  for (auto& b : bugs::gallery())
    if (id.empty() || id == b.id) out.push_back(&b);
  if (out.empty()) {
    std::string ids;
    for (auto& b : bugs::gallery()) ids += fmt::format(" {}", b.id);
    usage(fmt::format("no bug '{}' in the gallery (one of:{})", id, ids));
  }
  return out;
}

// The first line of a message: reports stay one screen long.
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// dfs runs a fixed version until every schedule has run (they are few).
constexpr std::uint64_t kDfsRunsMax = 100'000;

sim::ExploreOptions hunt_options(const Args& a, const bugs::Bug& b, std::uint64_t runs) {
  sim::ExploreOptions o;
  o.runs = runs;
  o.strategy = a.strategy;
  o.seed = a.seed;
  o.trace_tail = 0;  // the hunt prints its own summary; --verbose the whole timeline
  o.replay_command = fmt::format("./simloop hunt --replay {} {{token}}", b.id);
  return o;
}

// The failure's message, indented: its first line, and for a deadlock the
// lines that say who waits on what.
void print_message(const sim::Failure& f) {
  std::string m = f.message;
  while (!m.empty() && m.back() == '\n') m.pop_back();
  std::size_t lines_max = f.kind == sim::FailureKind::deadlock ? 8 : 1;
  std::size_t pos = 0;
  for (std::size_t n = 0; n < lines_max && pos <= m.size(); ++n) {
    std::size_t eol = m.find('\n', pos);
    std::printf("  %s%s\n", n ? "  " : "",
                m.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos).c_str());
    if (eol == std::string::npos) break;
    pos = eol + 1;
  }
}

// Hunts one bug; prints its four lines (more for a deadlock, and the
// timeline with --verbose). True when everything held.
bool hunt_one(const Args& a, const bugs::Bug& b, std::size_t index, std::size_t count) {
  // The claimed budget of this strategy (README.md), or 1000 runs if none.
  std::uint64_t claimed = b.budget(a.strategy);
  std::uint64_t budget = a.runs.value_or(claimed ? claimed : 1000);
  std::printf("[%zu/%zu] %s: hunting with %s from seed %llu, budget %llu runs ...", index, count, b.id,
              sim::to_string(a.strategy), static_cast<unsigned long long>(a.seed),
              static_cast<unsigned long long>(budget));
  std::fflush(stdout);

  sim::ExploreReport found = sim::explore(b.buggy, hunt_options(a, b, budget));
  if (!found.failure) {
    std::printf(" NOT FOUND in %llu runs%s\n", static_cast<unsigned long long>(found.runs),
                found.exhausted ? " (dfs: every schedule ran)" : "");
    return false;
  }
  const sim::Failure& f = *found.failure;
  std::printf(" found at run %llu, seed %llu\n", static_cast<unsigned long long>(f.runs),
              static_cast<unsigned long long>(f.seed));
  print_message(f);
  std::printf("  replay: %s\n", f.replay_command.c_str());
  if (a.verbose && f.trace) std::printf("  timeline of the failing run:\n%s", f.trace->format().c_str());

  // Replay from the token alone: the same failure, the very same run.
  sim::ReplayReport again = sim::replay(b.buggy, f.token);
  bool same = again.failure && again.failure->kind == f.kind && again.failure->message == f.message &&
              again.same_hash && again.trace_hash == f.trace_hash;
  std::string replayed = same ? fmt::format("same failure, same trace hash {:016x}", again.trace_hash)
                              : fmt::format("DID NOT REPRODUCE ({}, trace hash {:016x})",
                                            again.failure ? "another failure" : "it passed", again.trace_hash);

  // The fix, over ten times the budget's seed range (which contains it);
  // under dfs, over every schedule there is.
  bool dfs = a.strategy == sim::Strategy::dfs;
  sim::ExploreReport fixed = sim::explore(b.fixed, hunt_options(a, b, dfs ? kDfsRunsMax : 10 * budget));
  std::string fix =
      fixed.failure
          ? fmt::format("FAILS at run {}: {}", fixed.failure->runs, first_line(fixed.failure->message))
          : fmt::format("passes {} runs{}", fixed.runs, fixed.exhausted ? ": every schedule" : " (10x the budget)");
  std::printf("  replayed: %s | fixed version: %s\n", replayed.c_str(), fix.c_str());
  if (fixed.failure) std::printf("  replay the fix's failure: %s\n", fixed.failure->replay_command.c_str());
  return same && !fixed.failure;
}

int hunt_all(const Args& a) {
  auto t0 = std::chrono::steady_clock::now();
  auto chosen = select(a.bug);
  std::printf("simloop hunt: %zu race bugs that pass a plain test (their stories: examples/bugs/README.md)\n",
              chosen.size());
  std::size_t ok = 0;
  for (std::size_t i = 0; i < chosen.size(); ++i) ok += hunt_one(a, *chosen[i], i + 1, chosen.size());
  std::printf("%s: %zu of %zu bugs found, replayed, and their fixes passed, in %.1fs%s\n",
              ok == chosen.size() ? "OK" : "FAILED", ok, chosen.size(), seconds_since(t0),
              a.verbose ? "" : "  (--verbose: the timelines)");
  return ok == chosen.size() ? 0 : 1;
}

int replay_token(const Args& a) {
  const bugs::Bug& b = *select(a.bug).front();
  sim::ReplayReport r;
  try {
    r = sim::replay(b.buggy, a.replay_token);
  } catch (const sim::TokenError& e) {
    std::fprintf(stderr, "simloop_hunt: %s\n", e.what());
    return 2;
  }
  std::printf("%s: replaying %s\n", b.id, a.replay_token.c_str());
  if (r.failure) {
    std::printf("failure %s: %s\n", sim::to_string(r.failure->kind), r.failure->message.c_str());
  } else {
    std::printf("the run passed\n");
  }
  std::printf("trace hash %016llx, %s\n", static_cast<unsigned long long>(r.trace_hash),
              r.same_hash ? "the same run as recorded" : "NOT the recorded run");
  if (r.trace) {
    if (a.verbose) {
      std::printf("%s", r.trace->format().c_str());
    } else {
      std::printf("last events (--verbose: all %zu):\n%s", r.trace->size(), r.trace->format_tail(12).c_str());
    }
  }
  return r.failure && r.same_hash ? 0 : 1;
}

// --measure: for each bug and strategy, `hunts` hunts from disjoint seed
// ranges (hunt h starts at seed h*10000), each up to kMeasureRunsMax runs;
// prints runs-to-find (median, mean, max) next to the claimed budget. dfs has
// no seed: one hunt, its count exact. Exit 1 if a claim does not hold.
constexpr std::uint64_t kMeasureRunsMax = 2000;
int measure(const Args& a) {
  auto chosen = select(a.bug);
  const sim::Strategy strategies[] = {sim::Strategy::random, sim::Strategy::pct, sim::Strategy::dfs};
  std::printf("runs to find each bug: %llu hunts per seeded strategy (hunt h from seed h*10000), 1 for dfs\n",
              static_cast<unsigned long long>(a.hunts));
  std::printf("%-14s %-7s %7s %7s %7s %7s  %s\n", "bug", "strategy", "median", "mean", "max", "claim", "notes");
  bool all_hold = true;
  for (const bugs::Bug* b : chosen) {
    for (sim::Strategy s : strategies) {
      std::uint64_t hunts = s == sim::Strategy::dfs ? 1 : a.hunts;
      std::vector<std::uint64_t> runs;
      std::uint64_t missed = 0;
      for (std::uint64_t h = 0; h < hunts; ++h) {
        Args ah = a;
        ah.strategy = s;
        ah.seed = h * 10000;
        sim::ExploreReport r = sim::explore(b->buggy, hunt_options(ah, *b, kMeasureRunsMax));
        if (r.failure) {
          runs.push_back(r.failure->runs);
        } else {
          ++missed;
        }
      }
      std::sort(runs.begin(), runs.end());
      double mean = 0;
      for (auto r : runs) mean += static_cast<double>(r);
      if (!runs.empty()) mean /= static_cast<double>(runs.size());
      std::uint64_t max = runs.empty() ? 0 : runs.back();
      std::uint64_t claimed = b->budget(s);
      bool holds = missed == 0 && max <= claimed;
      all_hold = all_hold && (claimed == 0 || holds);

      std::string notes;
      if (missed) notes += fmt::format("{} hunts found nothing in {} runs; ", missed, kMeasureRunsMax);
      if (claimed == 0) notes += "no claim; ";
      if (claimed && !holds) notes += "OVER the claim; ";
      if (s == sim::Strategy::dfs) {
        Args ad = a;
        ad.strategy = s;
        sim::ExploreReport all = sim::explore(b->fixed, hunt_options(ad, *b, kDfsRunsMax));
        notes += all.failure     ? "the fix FAILS under dfs"
                 : all.exhausted ? fmt::format("the fix passes all {} schedules", all.runs)
                                 : "the fix's schedules were not exhausted";
        all_hold = all_hold && !all.failure && all.exhausted;
      }
      std::printf("%-14s %-7s %7llu %7.1f %7llu %7llu  %s\n", b->id, sim::to_string(s),
                  static_cast<unsigned long long>(runs.empty() ? 0 : runs[runs.size() / 2]), mean,
                  static_cast<unsigned long long>(max), static_cast<unsigned long long>(claimed), notes.c_str());
    }
  }
  return all_hold ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse_args(argc, argv);
  if (a.list) {
    for (auto& b : bugs::gallery())
      std::printf("%-14s %s (random finds it within %llu runs)\n", b.id, b.title,
                  static_cast<unsigned long long>(b.claims.front().runs_max));
    return 0;
  }
  if (!a.replay_token.empty()) return replay_token(a);
  if (a.measure) return measure(a);
  return hunt_all(a);
}
