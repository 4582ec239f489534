#include <simloop/sim/schedule.hpp>
#include <simloop/sim/options.hpp>  // to_string(Strategy)

#include <fmt/format.h>

#include <cctype>

namespace simloop::sim {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int alphabet_index(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::uint32_t fnv1a32(const std::vector<std::uint8_t>& b, std::size_t n) noexcept {
  std::uint32_t h = 0x811c9dc5U;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= b[i];
    h *= 0x01000193U;
  }
  return h;
}

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

struct Reader {
  const std::vector<std::uint8_t>& b;
  std::size_t end;
  std::size_t pos = 0;
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) throw TokenError("schedule token is truncated (copy it whole)");
      std::uint8_t c = b[pos++];
      v |= static_cast<std::uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return v;
    }
    throw TokenError("schedule token is malformed (an overlong number)");
  }
  std::uint8_t byte() {
    if (pos >= end) throw TokenError("schedule token is truncated (copy it whole)");
    return b[pos++];
  }
};

std::string base64url(const std::vector<std::uint8_t>& b) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::uint8_t c : b) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

}  // namespace

std::string Schedule::to_token() const {
  std::vector<std::uint8_t> b;
  b.reserve(32 + decisions.size());
  std::uint8_t flags = static_cast<std::uint8_t>((explore_ready_order ? 1 : 0) | (explore_timer_ties ? 2 : 0) |
                                                 (fail_on_pending_tasks ? 4 : 0) |
                                                 (fail_on_unretrieved_exceptions ? 8 : 0));
  b.push_back(flags);
  put_varint(b, strategy);
  put_varint(b, seed);
  put_varint(b, static_cast<std::uint64_t>(jitter_max.count()));
  put_varint(b, jitter_choices);
  put_varint(b, steps_max);
  put_varint(b, static_cast<std::uint64_t>(virtual_time_max.count()));
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(trace_hash >> (8 * i)));
  put_varint(b, decisions.size());
  // Runs of zeros (asyncio's own answer) as one number: odd = a run length.
  for (std::size_t i = 0; i < decisions.size();) {
    if (decisions[i] == 0) {
      std::size_t j = i;
      while (j < decisions.size() && decisions[j] == 0) ++j;
      put_varint(b, (static_cast<std::uint64_t>(j - i) << 1) | 1);
      i = j;
    } else {
      put_varint(b, static_cast<std::uint64_t>(decisions[i]) << 1);
      ++i;
    }
  }
  std::uint32_t sum = fnv1a32(b, b.size());
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(sum >> (8 * i)));
  return std::string(kTokenPrefix) + base64url(b);
}

Schedule Schedule::from_token(std::string_view token) {
  // Tolerate what copying from a log adds around it.
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front()))) token.remove_prefix(1);
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.remove_suffix(1);
  if (token.size() >= 2 && (token.front() == '"' || token.front() == '\'') && token.back() == token.front())
    token = token.substr(1, token.size() - 2);

  if (token.substr(0, 2) != "SL") {
    throw TokenError(fmt::format(
        "not a simloop schedule token: it should start with \"{}\" (got \"{}\")", kTokenPrefix,
        std::string(token.substr(0, 12))));
  }
  std::size_t dot = token.find('.');
  std::string_view version = token.substr(2, dot == std::string_view::npos ? std::string_view::npos : dot - 2);
  if (dot == std::string_view::npos || version.empty() ||
      version.find_first_not_of("0123456789") != std::string_view::npos) {
    throw TokenError(fmt::format("not a simloop schedule token: it should start with \"{}\"", kTokenPrefix));
  }
  // Version 1 differs only in its trace hash's format (the trace's format
  // 1): read, so the refusal can say how to record it again.
  if (version != "2" && version != "1") {
    throw TokenError(fmt::format(
        "schedule token version {} is not supported: this build reads version 2 (replay it with the simloop "
        "version that printed it)",
        std::string(version)));
  }
  std::string_view body = token.substr(dot + 1);
  std::vector<std::uint8_t> b;
  b.reserve(body.size() * 3 / 4 + 1);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    int v = alphabet_index(body[i]);
    if (v < 0) {
      throw TokenError(fmt::format("schedule token has an invalid character '{}' at position {}: it is corrupted",
                                   body[i], kTokenPrefix.size() + i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      b.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  // A well-formed encoding leaves no stray bits in its last character.
  if (bits >= 6 || (acc & ((1U << bits) - 1U)) != 0 || body.size() % 4 == 1)
    throw TokenError("schedule token checksum mismatch: the token is corrupted or truncated (copy it whole)");
  if (b.size() < 5) throw TokenError("schedule token is truncated (copy it whole)");
  std::size_t n = b.size() - 4;
  std::uint32_t sum = 0;
  for (int i = 0; i < 4; ++i) sum |= static_cast<std::uint32_t>(b[n + static_cast<std::size_t>(i)]) << (8 * i);
  if (sum != fnv1a32(b, n))
    throw TokenError("schedule token checksum mismatch: the token is corrupted or truncated (copy it whole)");

  Reader r{b, n};
  Schedule s;
  std::uint8_t flags = r.byte();
  if (flags & ~0x0fU) throw TokenError("schedule token is malformed (unknown flags)");
  s.explore_ready_order = flags & 1;
  s.explore_timer_ties = flags & 2;
  s.fail_on_pending_tasks = flags & 4;
  s.fail_on_unretrieved_exceptions = flags & 8;
  s.strategy = static_cast<std::uint8_t>(r.varint());
  s.seed = r.varint();
  s.jitter_max = Duration(static_cast<Duration::rep>(r.varint()));
  s.jitter_choices = static_cast<std::uint32_t>(r.varint());
  s.steps_max = r.varint();
  s.virtual_time_max = Duration(static_cast<Duration::rep>(r.varint()));
  for (int i = 0; i < 8; ++i) s.trace_hash |= static_cast<std::uint64_t>(r.byte()) << (8 * i);
  std::uint64_t count = r.varint();
  if (count > n * 64 * 8) throw TokenError("schedule token is malformed (impossible length)");
  s.decisions.reserve(static_cast<std::size_t>(count));
  while (s.decisions.size() < count) {
    std::uint64_t v = r.varint();
    if (v & 1) {
      std::uint64_t run = v >> 1;
      if (run == 0 || run > count - s.decisions.size()) throw TokenError("schedule token is malformed (bad run)");
      s.decisions.insert(s.decisions.end(), static_cast<std::size_t>(run), 0U);
    } else {
      if ((v >> 1) > 0xffffffffULL) throw TokenError("schedule token is malformed (answer out of range)");
      s.decisions.push_back(static_cast<std::uint32_t>(v >> 1));
    }
  }
  if (r.pos != n) throw TokenError("schedule token is malformed (trailing data)");
  if (version == "1") {
    throw TokenError(fmt::format(
        "schedule token version 1 (\"SL1.\") was printed by an older simloop, whose trace hash this build "
        "computes differently (trace hash format 2), so it could not tell whether a replay is the same run. "
        "Record the token again with this build: run the test with seed {} and strategy {} (the options it "
        "recorded are unchanged) and use the \"{}\" token it prints",
        s.seed, to_string(static_cast<Strategy>(s.strategy)), kTokenPrefix));
  }
  return s;
}

}  // namespace simloop::sim
