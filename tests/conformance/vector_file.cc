#include "vector_file.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace huddle::conformance {
namespace {

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> SplitAlternatives(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    const size_t bar = s.find(" | ", pos);
    out.push_back(Trim(s.substr(pos, bar == std::string::npos ? bar : bar - pos)));
    if (bar == std::string::npos) break;
    pos = bar + 3;
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool DecodeEscapes(const std::string& in, std::string& out, std::string& error) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in.compare(i, 2, "{{") == 0) {
      const size_t star = in.find('*', i);
      const size_t end = in.find("}}", i);
      if (star == std::string::npos || end == std::string::npos || star + 2 != end) {
        error = "bad {{N*c}} repeat";
        return false;
      }
      const long n = std::strtol(in.c_str() + i + 2, nullptr, 10);
      out.append(static_cast<size_t>(n), in[star + 1]);
      i = end + 1;
      continue;
    }
    if (in[i] != '\\') {
      out.push_back(in[i]);
      continue;
    }
    if (++i == in.size()) {
      error = "trailing backslash";
      return false;
    }
    switch (in[i]) {
      case 'r':
        out.push_back('\r');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case '0':
        out.push_back('\0');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'x': {
        const int hi = i + 1 < in.size() ? HexDigit(in[i + 1]) : -1;
        const int lo = i + 2 < in.size() ? HexDigit(in[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
          error = "bad \\x escape";
          return false;
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      default:
        error = std::string("unknown escape \\") + in[i];
        return false;
    }
  }
  return true;
}

std::string EscapeBytes(const std::string& in, size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < in.size() && i < max_bytes; ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (in.size() > max_bytes) out += "...(" + std::to_string(in.size()) + " bytes)";
  return out;
}

bool LoadVectors(const std::string& path, std::vector<Vector>& out, std::string& error) {
  std::ifstream file(path);
  if (!file) {
    error = path + ": cannot open";
    return false;
  }
  std::string line;
  int number = 0;
  std::string raw_send;
  auto fail = [&](const std::string& why) {
    error = path + ":" + std::to_string(number) + ": " + why;
    return false;
  };
  const size_t first = out.size();  // vectors of earlier files are done
  auto finish = [&]() -> bool {
    if (out.size() == first) return true;
    Vector& v = out.back();
    std::string why;
    if (!DecodeEscapes(raw_send, v.bytes, why)) {
      error = path + ":" + std::to_string(v.line) + ": " + why;
      return false;
    }
    raw_send.clear();
    if (v.bytes.empty() || v.expect.empty()) {
      error = path + ":" + std::to_string(v.line) + ": vector " + v.id + " needs send and expect";
      return false;
    }
    return true;
  };
  while (std::getline(file, line)) {
    ++number;
    const std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (line[0] != ' ' && line[0] != '\t') {
      if (!finish()) return false;
      const size_t sp = t.find(' ');
      const std::string kind = t.substr(0, sp);
      if ((kind != "request" && kind != "response") || sp == std::string::npos) {
        return fail("expected `request <id>` or `response <id>`");
      }
      Vector v;
      v.kind = kind == "request" ? Vector::Kind::kRequest : Vector::Kind::kResponse;
      v.id = Trim(t.substr(sp + 1));
      v.line = number;
      for (const Vector& other : out) {  // ids are unique across files of one kind
        if (other.kind == v.kind && other.id == v.id) return fail("duplicate id " + v.id);
      }
      out.push_back(v);
      continue;
    }
    if (out.size() == first) return fail("key outside a vector");
    const size_t colon = t.find(':');
    if (colon == std::string::npos) return fail("expected `key: value`");
    const std::string key = t.substr(0, colon);
    // The value keeps its inner spaces; one space after the colon is the separator.
    std::string value = t.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    Vector& v = out.back();
    if (key == "send") {
      raw_send += value;
    } else if (key == "expect") {
      v.expect = SplitAlternatives(value);
    } else if (key == "rfc") {
      v.rfc = value;
    } else if (key == "note") {
      v.note = value;
    } else if (key == "close") {
      v.close = value == "yes";
    } else if (key == "no-interim") {
      v.no_interim = value == "yes";
    } else if (key == "method") {
      v.method = value;
    } else if (key == "fwd-body") {
      std::string why;
      if (!DecodeEscapes(value, v.fwd_body, why)) return fail(why);
      v.has_fwd_body = true;
    } else if (key == "fwd-header") {
      std::string decoded;
      std::string why;
      if (!DecodeEscapes(value, decoded, why)) return fail(why);
      v.fwd_header.push_back(decoded);
    } else if (key == "fwd-no-header") {
      v.fwd_no_header.push_back(value);
    } else if (key == "fwd-target") {
      v.fwd_target = value;
    } else if (key == "skip") {
      v.skip = value;
    } else {
      return fail("unknown key " + key);
    }
  }
  return finish();
}

}  // namespace huddle::conformance
