// conformance_interp: the C++ side of the differential conformance suite
// (tests/conformance/README.md, "Batch protocol").
//
//   conformance_interp FILE.json          # FILE's trace
//   conformance_interp -                  # a scenario on stdin
//   conformance_interp --batch F1 F2 ...  # each trace, then "#end Fi"
//
// Exit status: 0, or 2 if any scenario printed "#error".
#include "interp.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

bool read_all(const std::string& path, std::string& out) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool batch = false;
  if (!args.empty() && args[0] == "--batch") {
    batch = true;
    args.erase(args.begin());
  }
  if (args.empty() || (!batch && args.size() != 1)) {
    std::fputs("usage: conformance_interp FILE.json | - | --batch FILE...\n", stderr);
    return 2;
  }
  int status = 0;
  for (const auto& path : args) {
    std::string text;
    std::string trace = read_all(path, text) ? conformance::trace_text(text)
                                             : "#error cannot read " + path + "\n";
    if (trace.rfind("#error", 0) == 0) status = 2;
    std::fwrite(trace.data(), 1, trace.size(), stdout);
    if (batch) std::printf("#end %s\n", path.c_str());
    std::fflush(stdout);
  }
  return status;
}
