#include "json.hpp"

#include <cstdio>

namespace conformance {

const Json* Json::find(std::string_view key) const noexcept {
  const Json* found = nullptr;
  for (const auto& [k, v] : members)
    if (k == key) found = &v;  // the last occurrence wins, as json.loads
  return found;
}

namespace {

void repr_string(std::string& out, const std::string& s) {
  out += '\'';
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}

  Json document() {
    Json v = value(0);
    ws();
    if (p_ != t_.size()) fail("extra data");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw JsonError("JSON: " + std::string(what) + " at byte " + std::to_string(p_));
  }
  void ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) ++p_;
  }
  bool eat(char c) {
    ws();
    if (p_ < t_.size() && t_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  void literal(std::string_view word) {
    if (t_.substr(p_, word.size()) != word) fail("invalid literal");
    p_ += word.size();
  }

  Json value(int depth) {
    if (depth > 200) fail("nesting too deep");
    ws();
    if (p_ >= t_.size()) fail("unexpected end");
    Json v;
    char c = t_[p_];
    if (c == '{') {
      ++p_;
      v.type = Json::Type::object;
      if (eat('}')) return v;
      do {
        ws();
        if (p_ >= t_.size() || t_[p_] != '"') fail("expected a string key");
        std::string key = string();
        if (!eat(':')) fail("expected ':'");
        Json member = value(depth + 1);
        v.members.push_back(JsonMember{std::move(key), std::move(member)});
      } while (eat(','));
      if (!eat('}')) fail("expected ',' or '}'");
    } else if (c == '[') {
      ++p_;
      v.type = Json::Type::array;
      if (eat(']')) return v;
      do {
        v.items.push_back(value(depth + 1));
      } while (eat(','));
      if (!eat(']')) fail("expected ',' or ']'");
    } else if (c == '"') {
      v.type = Json::Type::string;
      v.s = string();
    } else if (c == 't') {
      literal("true");
      v.type = Json::Type::boolean;
      v.b = true;
    } else if (c == 'f') {
      literal("false");
      v.type = Json::Type::boolean;
    } else if (c == 'n') {
      literal("null");
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      number(v);
    } else {
      fail("unexpected character");
    }
    return v;
  }

  void number(Json& v) {
    std::size_t start = p_;
    bool neg = false;
    if (t_[p_] == '-') {
      neg = true;
      ++p_;
    }
    if (p_ >= t_.size() || t_[p_] < '0' || t_[p_] > '9') fail("bad number");
    if (t_[p_] == '0' && p_ + 1 < t_.size() && t_[p_ + 1] >= '0' && t_[p_ + 1] <= '9') fail("leading zero");
    // Magnitude, accumulated as unsigned so that INT64_MIN fits.
    unsigned long long mag = 0;
    bool overflow = false;
    while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') {
      unsigned d = static_cast<unsigned>(t_[p_] - '0');
      if (mag > (~0ULL - d) / 10) overflow = true;
      else mag = mag * 10 + d;
      ++p_;
    }
    bool is_float = false;
    if (p_ < t_.size() && t_[p_] == '.') {
      is_float = true;
      ++p_;
      if (p_ >= t_.size() || t_[p_] < '0' || t_[p_] > '9') fail("bad fraction");
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
    }
    if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
      is_float = true;
      ++p_;
      if (p_ < t_.size() && (t_[p_] == '+' || t_[p_] == '-')) ++p_;
      if (p_ >= t_.size() || t_[p_] < '0' || t_[p_] > '9') fail("bad exponent");
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
    }
    if (is_float) {
      v.type = Json::Type::number;
      v.s = std::string(t_.substr(start, p_ - start));
      return;
    }
    v.type = Json::Type::integer;
    constexpr unsigned long long kMaxPos = 9223372036854775807ULL;
    if (overflow || mag > kMaxPos + (neg ? 1 : 0)) {
      v.big = true;
      v.s = std::string(t_.substr(start, p_ - start));
      return;
    }
    if (neg) {
      v.i = mag == kMaxPos + 1 ? INT64_MIN : -static_cast<std::int64_t>(mag);
    } else {
      v.i = static_cast<std::int64_t>(mag);
    }
  }

  unsigned hex4() {
    if (p_ + 4 > t_.size()) fail("bad \\u escape");
    unsigned u = 0;
    for (int k = 0; k < 4; ++k) {
      char c = t_[p_++];
      u <<= 4;
      if (c >= '0' && c <= '9') u |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') u |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') u |= static_cast<unsigned>(c - 'A' + 10);
      else fail("bad \\u escape");
    }
    return u;
  }

  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string string() {
    ++p_;  // opening quote
    std::string out;
    while (true) {
      if (p_ >= t_.size()) fail("unterminated string");
      char c = t_[p_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p_ >= t_.size()) fail("unterminated string");
      char e = t_[p_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && t_.substr(p_, 2) == "\\u") {
            std::size_t save = p_;
            p_ += 2;
            unsigned lo = hex4();
            if (lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            else p_ = save;
          }
          utf8(out, cp);
          break;
        }
        default: fail("bad escape");
      }
    }
  }

  std::string_view t_;
  std::size_t p_ = 0;
};

}  // namespace

std::string Json::repr() const {
  std::string out;
  switch (type) {
    case Type::null: return "None";
    case Type::boolean: return b ? "True" : "False";
    case Type::integer: return big ? s : std::to_string(i);
    case Type::number: return s;
    case Type::string: repr_string(out, s); return out;
    case Type::array:
      out = "[";
      for (std::size_t k = 0; k < items.size(); ++k) out += (k ? ", " : "") + items[k].repr();
      return out + "]";
    case Type::object:
      out = "{";
      for (std::size_t k = 0; k < members.size(); ++k) {
        if (k) out += ", ";
        repr_string(out, members[k].first);
        out += ": " + members[k].second.repr();
      }
      return out + "}";
  }
  return out;
}

Json parse_json(std::string_view text) { return Parser(text).document(); }

}  // namespace conformance
