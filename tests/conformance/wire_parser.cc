#include "wire_parser.h"

#include <cctype>
#include <cstdint>

namespace huddle::conformance {
namespace {

using State = WireParse::State;

bool IsTchar(unsigned char c) {
  if (std::isalnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// VCHAR, obs-text, SP, HTAB (RFC 9110 §5.5).
bool IsFieldValueChar(unsigned char c) { return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A cursor over the input that hands out CRLF-terminated lines, rejecting bare CR and bare LF.
struct Lines {
  std::string_view data;
  size_t pos = 0;
  std::string error;

  // kComplete: `line` holds the line without CRLF.
  State Next(std::string_view& line) {
    for (size_t i = pos; i < data.size(); ++i) {
      const char c = data[i];
      if (c == '\n') {
        error = "bare LF";
        return State::kError;
      }
      if (c == '\r') {
        if (i + 1 == data.size()) return State::kNeedMore;
        if (data[i + 1] != '\n') {
          error = "bare CR";
          return State::kError;
        }
        line = data.substr(pos, i - pos);
        pos = i + 2;
        return State::kComplete;
      }
      if (c == '\0') {
        error = "NUL";
        return State::kError;
      }
    }
    return State::kNeedMore;
  }
};

// Reads header lines up to the empty line into `fields`.
State ReadFields(Lines& lines, std::vector<std::pair<std::string, std::string>>& fields,
                 std::string& error) {
  for (;;) {
    std::string_view line;
    const State s = lines.Next(line);
    if (s != State::kComplete) {
      error = lines.error;
      return s;
    }
    if (line.empty()) return State::kComplete;
    if (line.front() == ' ' || line.front() == '\t') {
      error = "obs-fold";
      return State::kError;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      error = "field without colon";
      return State::kError;
    }
    const std::string_view name = line.substr(0, colon);
    if (name.empty()) {
      error = "empty field name";
      return State::kError;
    }
    for (unsigned char c : name) {
      if (!IsTchar(c)) {
        error = (c == ' ' || c == '\t') ? "whitespace before colon" : "invalid field-name char";
        return State::kError;
      }
    }
    const std::string_view value = line.substr(colon + 1);
    for (unsigned char c : value) {
      if (!IsFieldValueChar(c)) {
        error = "control char in field value";
        return State::kError;
      }
    }
    fields.emplace_back(Lower(name), std::string(TrimOws(value)));
  }
}

// The comma-separated members of every field `name`, lower-cased, empty members dropped.
std::vector<std::string> ListMembers(const WireMessage& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : m.headers) {
    if (n != name) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view member = TrimOws(rest.substr(0, comma));
      if (!member.empty()) out.push_back(Lower(member));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

enum class Framing { kNone, kLength, kChunked, kUntilClose };

// RFC 9112 §6.3, strictly: a message with both framings, two lengths or a malformed length is
// an error rather than something to guess about.
State DecideFraming(const WireMessage& m, bool request, Framing& framing, uint64_t& length,
                    std::string& error) {
  const size_t cl_count = m.Count("content-length");
  const size_t te_count = m.Count("transfer-encoding");
  if (cl_count > 0 && te_count > 0) {
    error = "both content-length and transfer-encoding";
    return State::kError;
  }
  if (te_count > 0) {
    const std::vector<std::string> codings = ListMembers(m, "transfer-encoding");
    size_t chunked = 0;
    for (const std::string& c : codings) chunked += c == "chunked";
    if (codings.empty() || chunked > 1 || (chunked == 1 && codings.back() != "chunked")) {
      error = "bad transfer-encoding list";
      return State::kError;
    }
    if (codings.back() == "chunked") {
      framing = Framing::kChunked;
    } else if (request) {
      error = "request transfer-encoding not ending in chunked";
      return State::kError;
    } else {
      framing = Framing::kUntilClose;
    }
    if (m.version == "HTTP/1.0") {
      error = "transfer-encoding in HTTP/1.0";
      return State::kError;
    }
    return State::kComplete;
  }
  if (cl_count > 1) {
    error = "repeated content-length";
    return State::kError;
  }
  if (cl_count == 1) {
    const std::string v = m.Value("content-length");
    if (v.empty() || v.size() > 18) {
      error = "bad content-length";
      return State::kError;
    }
    length = 0;
    for (unsigned char c : v) {
      if (!std::isdigit(c)) {
        error = "bad content-length";
        return State::kError;
      }
      length = length * 10 + (c - '0');
    }
    framing = Framing::kLength;
    return State::kComplete;
  }
  framing = request ? Framing::kNone : Framing::kUntilClose;
  return State::kComplete;
}

State ReadChunked(Lines& lines, WireMessage& m, std::string& error) {
  for (;;) {
    std::string_view line;
    State s = lines.Next(line);
    if (s != State::kComplete) {
      error = lines.error;
      return s;
    }
    size_t digits = 0;
    uint64_t size = 0;
    while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(line[digits])));
      size = size * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
      ++digits;
    }
    if (digits == 0 || digits > 16) {
      error = digits == 0 ? "bad chunk size" : "chunk size overflow";
      return State::kError;
    }
    std::string_view ext = line.substr(digits);
    while (!ext.empty() && (ext.front() == ' ' || ext.front() == '\t')) ext.remove_prefix(1);
    if (!ext.empty() && ext.front() != ';') {
      error = "bad chunk size";
      return State::kError;
    }
    for (unsigned char c : ext) {
      if (!IsFieldValueChar(c)) {
        error = "control char in chunk extension";
        return State::kError;
      }
    }
    if (size == 0) return ReadFields(lines, m.trailers, error);
    if (lines.data.size() - lines.pos < size + 2) return State::kNeedMore;
    m.body.append(lines.data.substr(lines.pos, size));
    lines.pos += size;
    if (lines.data.substr(lines.pos, 2) != "\r\n") {
      error = "chunk data not followed by CRLF";
      return State::kError;
    }
    lines.pos += 2;
  }
}

State ReadBody(Lines& lines, WireMessage& m, Framing framing, uint64_t length, bool eof,
               std::string& error) {
  switch (framing) {
    case Framing::kNone:
      return State::kComplete;
    case Framing::kLength:
      if (lines.data.size() - lines.pos < length) return State::kNeedMore;
      m.body.assign(lines.data.substr(lines.pos, length));
      lines.pos += length;
      return State::kComplete;
    case Framing::kChunked:
      return ReadChunked(lines, m, error);
    case Framing::kUntilClose:
      m.close_delimited = true;
      if (!eof) return State::kNeedMore;
      m.body.assign(lines.data.substr(lines.pos));
      lines.pos = lines.data.size();
      return State::kComplete;
  }
  return State::kError;
}

WireParse Finish(State s, std::string error, const Lines& lines, WireMessage m, bool eof) {
  WireParse p;
  if (s == State::kNeedMore && eof) {
    s = State::kError;
    error = lines.pos == 0 && lines.data.empty() ? "no bytes" : "incomplete message";
  }
  p.state = s;
  p.error = std::move(error);
  if (s == State::kComplete) p.consumed = lines.pos;
  p.message = std::move(m);
  return p;
}

}  // namespace

size_t WireMessage::Count(std::string_view name) const {
  size_t n = 0;
  for (const auto& h : headers) n += h.first == name;
  return n;
}

std::string WireMessage::Value(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.first == name) return h.second;
  }
  return "";
}

WireParse ParseRequest(std::string_view data, bool eof) {
  Lines lines{data};
  WireMessage m;
  std::string error;
  std::string_view line;
  State s = lines.Next(line);
  if (s != State::kComplete) return Finish(s, lines.error, lines, std::move(m), eof);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Finish(State::kError, "bad request line", lines, std::move(m), eof);
  }
  m.method = line.substr(0, sp1);
  m.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  m.version = line.substr(sp2 + 1);
  bool ok = !m.method.empty() && !m.target.empty();
  for (unsigned char c : m.method) ok = ok && IsTchar(c);
  for (unsigned char c : m.target) ok = ok && c > 0x20 && c < 0x7f;
  if (!ok) return Finish(State::kError, "bad request line", lines, std::move(m), eof);
  if (m.version != "HTTP/1.1" && m.version != "HTTP/1.0") {
    return Finish(State::kError, "bad version", lines, std::move(m), eof);
  }
  s = ReadFields(lines, m.headers, error);
  if (s != State::kComplete) return Finish(s, error, lines, std::move(m), eof);
  const size_t hosts = m.Count("host");
  if (hosts > 1 || (hosts == 0 && m.version == "HTTP/1.1")) {
    return Finish(State::kError, hosts == 0 ? "missing host" : "repeated host", lines, std::move(m),
                  eof);
  }
  if (hosts == 1) {
    for (unsigned char c : m.Value("host")) {
      if (c == '@' || c == ' ' || c == '/' || c == ',') {
        return Finish(State::kError, "bad host", lines, std::move(m), eof);
      }
    }
  }
  Framing framing = Framing::kNone;
  uint64_t length = 0;
  s = DecideFraming(m, true, framing, length, error);
  if (s != State::kComplete) return Finish(s, error, lines, std::move(m), eof);
  s = ReadBody(lines, m, framing, length, eof, error);
  return Finish(s, error, lines, std::move(m), eof);
}

WireParse ParseResponse(std::string_view data, bool eof, bool head_request) {
  Lines lines{data};
  WireMessage m;
  std::string error;
  for (;;) {
    std::string_view line;
    State s = lines.Next(line);
    if (s != State::kComplete) return Finish(s, lines.error, lines, std::move(m), eof);
    const int interim = m.interim;
    m = WireMessage{};
    m.interim = interim;
    if (line.size() < 12 ||
        (line.substr(0, 9) != "HTTP/1.1 " && line.substr(0, 9) != "HTTP/1.0 ") ||
        !std::isdigit(static_cast<unsigned char>(line[9])) ||
        !std::isdigit(static_cast<unsigned char>(line[10])) ||
        !std::isdigit(static_cast<unsigned char>(line[11])) ||
        (line.size() > 12 && line[12] != ' ') || line[9] == '0') {
      return Finish(State::kError, "bad status line", lines, std::move(m), eof);
    }
    m.version = line.substr(0, 8);
    m.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    for (unsigned char c : line.substr(12)) {
      if (!IsFieldValueChar(c))
        return Finish(State::kError, "bad reason", lines, std::move(m), eof);
    }
    s = ReadFields(lines, m.headers, error);
    if (s != State::kComplete) return Finish(s, error, lines, std::move(m), eof);
    if (m.status >= 100 && m.status < 200 && m.status != 101) {
      ++m.interim;
      continue;
    }
    break;
  }
  Framing framing = Framing::kNone;
  uint64_t length = 0;
  State s = DecideFraming(m, false, framing, length, error);
  if (s != State::kComplete) return Finish(s, error, lines, std::move(m), eof);
  if (head_request || m.status == 204 || m.status == 304 || m.status == 101) {
    framing = Framing::kNone;
  }
  s = ReadBody(lines, m, framing, length, eof, error);
  return Finish(s, error, lines, std::move(m), eof);
}

}  // namespace huddle::conformance
