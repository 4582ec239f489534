#pragma once
// A tiny JSON reader for conformance scenarios (RFC 8259, no extensions).
// Keeps what the scenario validator must tell apart, as Python's json module
// does: integers (any size: `big` when outside int64) vs other numbers, booleans
// vs integers, object keys in document order (a repeated key: the last wins).
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace conformance {

struct JsonMember;

struct Json {
  enum class Type : std::uint8_t { null, boolean, integer, number, string, array, object };
  Type type = Type::null;
  bool b = false;
  std::int64_t i = 0;
  bool big = false;  // an integer outside the int64 range
  std::string s;     // string value (UTF-8)
  std::vector<Json> items;
  std::vector<JsonMember> members;  // (not std::pair: it needs Json complete here, clang refuses)

  bool is(Type t) const noexcept { return type == t; }
  const Json* find(std::string_view key) const noexcept;
  // Python-ish rendering for error messages ('abc', 3, None, [..], {..}).
  std::string repr() const;
};

struct JsonMember {
  std::string first;  // key
  Json second;        // value
};

struct JsonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws JsonError with the byte offset of the problem.
Json parse_json(std::string_view text);

}  // namespace conformance
