#pragma once
// prop(): check() reported through Catch2 (see prop.hpp).
#include <simloop/properties/prop.hpp>

#include <catch2/catch.hpp>

#include <iostream>

namespace simloop::properties {

template <class Testable>
void prop(const std::string& id, Testable&& testable, PropOptions options = {}) {
  PropOutcome r = check(id, std::forward<Testable>(testable), options);
  if (!r.passed) {
    // Printed (not only INFO) so the line is in the ctest log whatever the reporter.
    std::cerr << "property " << id << " failed:\n" << r.message << "\nreproduce: " << r.reproduce << "\n";
    INFO(r.message << "\nreproduce: " << r.reproduce);
    FAIL("property " << id << " failed");
  }
  CHECK(r.num_success > 0);
}

}  // namespace simloop::properties
