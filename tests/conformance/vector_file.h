#pragma once

// The conformance vectors: a line-oriented text file. A vector starts with `request <id>` or
// `response <id>`; the indented `key: value` lines that follow describe it:
//   send:    bytes (repeatable, joined); escapes \r \n \t \0 \\ \xHH, and {{N*c}} for N copies of c
//   expect:  the verdicts the RFCs allow, alternatives separated by " | " (see conformance_check.h)
//   rfc:     the section the verdict comes from;  note: free text
//   close:   yes -> the client connection must be closed after the last response
//   fwd-body / fwd-header (name=value) / fwd-no-header (name) / fwd-target: checks on the first
//            request the upstream received (when the verdict forwarded it)
//   no-interim: yes -> no 1xx may reach the client;  method: GET or HEAD (response vectors)
//   skip:    one-line reason (a known bug being fixed); the CTest test still runs the vector,
//            reports it skipped while it fails, and fails once it passes (delete the line then)
// Values are trimmed at the end: write a trailing space as \x20.
#include <string>
#include <vector>

namespace huddle::conformance {

struct Vector {
  enum class Kind { kRequest, kResponse };
  Kind kind = Kind::kRequest;
  std::string id;
  std::string bytes;                // decoded `send`
  std::vector<std::string> expect;  // alternatives, each a space-separated token sequence
  std::string rfc;
  std::string note;
  bool close = false;
  bool no_interim = false;
  std::string method = "GET";
  std::string fwd_body;
  bool has_fwd_body = false;
  std::vector<std::string> fwd_header;     // name=value
  std::vector<std::string> fwd_no_header;  // name
  std::string fwd_target;
  std::string skip;
  int line = 0;
};

// Decodes the escapes of a `send` value. False with `error` on a malformed escape.
bool DecodeEscapes(const std::string& in, std::string& out, std::string& error);
// Shows bytes printable: the inverse of DecodeEscapes for control and non-ASCII bytes.
std::string EscapeBytes(const std::string& in, size_t max_bytes = 60);

// Loads a vector file. False with `error` ("file:line: why") on a malformed file.
bool LoadVectors(const std::string& path, std::vector<Vector>& out, std::string& error);

}  // namespace huddle::conformance
