#pragma once
// Shared by the C++ drivers (simloop_bench.cpp, asio_bench.cpp, floor_bench.cpp): workload
// parameters, the expected sums, timing and memory probes, and the one-line
// JSON each repetition prints for run.py.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

namespace bench {

// W3's durations: dur(i) = (i+1)*48271 mod (2^31-1), in microseconds (the
// Lehmer / MINSTD generator: distinct for i < 2^31-2, up to ~2147 s).
inline std::int64_t w3_dur(std::int64_t i) {
  return static_cast<std::int64_t>((static_cast<std::uint64_t>(i + 1) * 48271u) % 2147483647u);
}

// The sum every workload checks: sum of 0..n-1 (each task/future returns i).
inline std::int64_t triangle(std::int64_t n) { return n * (n - 1) / 2; }

// Resident set size now, in bytes (/proc/self/statm's second field).
inline std::int64_t rss_now() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long size = 0, resident = 0;
  if (std::fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<std::int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

// Peak resident set size of the process so far, in bytes.
inline std::int64_t rss_peak() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<std::int64_t>(ru.ru_maxrss) * 1024;
}

inline std::int64_t cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Wall and CPU time of one repetition, and the memory it added at its peak
// (only meaningful for the first repetition in a fresh process).
struct Probe {
  std::chrono::steady_clock::time_point t0;
  std::int64_t c0 = 0;
  std::int64_t rss0 = 0;
  void start() {
    rss0 = rss_now();
    c0 = cpu_ns();
    t0 = std::chrono::steady_clock::now();
  }
  std::int64_t wall_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  }
  std::int64_t cpu_elapsed_ns() const { return cpu_ns() - c0; }
  std::int64_t rss_added() const { return rss_peak() - rss0; }
};

// One repetition's result, as a JSON object on one line. `ops` is what the
// time is divided by (tasks, switches, timers, futures, runs).
struct Result {
  std::string impl, config, workload;
  std::int64_t n = 0, ops = 0, wall_ns = 0, cpu_ns = 0, rep = 0;
  std::int64_t sum = 0, expected = 0;
  std::int64_t rss_added = 0;  // bytes; first repetition only (else -1)
  std::string extra;           // more JSON fields, starting with ',' (or empty)
  void print() const {
    std::printf(
        "{\"impl\":\"%s\",\"config\":\"%s\",\"workload\":\"%s\",\"n\":%lld,\"ops\":%lld,\"rep\":%lld,"
        "\"wall_ns\":%lld,\"cpu_ns\":%lld,\"sum\":%lld,\"expected\":%lld,\"ok\":%s,\"rss_added\":%lld%s}\n",
        impl.c_str(), config.c_str(), workload.c_str(), static_cast<long long>(n), static_cast<long long>(ops),
        static_cast<long long>(rep), static_cast<long long>(wall_ns), static_cast<long long>(cpu_ns),
        static_cast<long long>(sum), static_cast<long long>(expected), sum == expected ? "true" : "false",
        static_cast<long long>(rss_added), extra.c_str());
    std::fflush(stdout);
  }
};

// argv parsing shared by both drivers: <workload> <n> <reps> [config]
struct Args {
  std::string workload;
  std::int64_t n = 0;
  int reps = 1;
  std::string config;
};
inline Args parse_args(int argc, char** argv, const char* usage, const char* default_config) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s %s\n", argv[0], usage);
    std::exit(2);
  }
  Args a;
  a.workload = argv[1];
  a.n = std::atoll(argv[2]);
  a.reps = std::atoi(argv[3]);
  a.config = argc > 4 ? argv[4] : default_config;
  if (a.n < 2 || a.reps < 1) {
    std::fprintf(stderr, "n must be >= 2 and reps >= 1\n");
    std::exit(2);
  }
  return a;
}

// Repetition `rep` of workload `a` (n operations, checked against the
// triangle sum), timed by `p`: call it right after the work, it reads the
// clocks.
inline Result timed_result(const char* impl, const Args& a, int rep, std::int64_t sum, const Probe& p) {
  Result r;
  r.wall_ns = p.wall_ns();
  r.cpu_ns = p.cpu_elapsed_ns();
  r.rss_added = rep == 0 ? p.rss_added() : -1;
  r.impl = impl;
  r.config = a.config;
  r.workload = a.workload;
  r.n = a.n;
  r.ops = a.n;
  r.rep = rep;
  r.sum = sum;
  r.expected = triangle(a.n);
  return r;
}

}  // namespace bench
