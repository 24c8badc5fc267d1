// conformance_runner: drives the conformance vectors through any HTTP/1.1 reverse proxy.
//   conformance_runner --proxy-port P --upstream-port U [--only ID] FILE...
// It starts the recording upstream on 127.0.0.1:U (the proxy's only backend), runs every vector
// of each FILE against the proxy on 127.0.0.1:P, and prints one tab-separated line per vector:
//   kind  id  expected  observed  PASS|FAIL|SKIP-REASON  detail
// Exit status: 0 when it ran (failures are data for the report), 2 on bad usage or files.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "conformance_check.h"
#include "recording_upstream.h"
#include "vector_file.h"

namespace {

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\t' || c == '\n') c = ' ';
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace huddle::conformance;
  int proxy_port = 0;
  int upstream_port = 0;
  std::string only;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--proxy-port" && i + 1 < argc) {
      proxy_port = std::atoi(argv[++i]);
    } else if (a == "--upstream-port" && i + 1 < argc) {
      upstream_port = std::atoi(argv[++i]);
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else {
      files.push_back(a);
    }
  }
  if (proxy_port <= 0 || upstream_port <= 0 || files.empty()) {
    std::cerr << "usage: conformance_runner --proxy-port P --upstream-port U [--only ID] FILE...\n";
    return 2;
  }
  std::vector<Vector> vectors;
  for (const std::string& f : files) {
    std::string error;
    if (!LoadVectors(f, vectors, error)) {
      std::cerr << error << "\n";
      return 2;
    }
  }
  RecordingUpstream upstream;
  std::string error;
  if (!upstream.Start(static_cast<uint16_t>(upstream_port), error)) {
    std::cerr << error << "\n";
    return 2;
  }
  int failed = 0;
  for (const Vector& v : vectors) {
    if (!only.empty() && v.id != only) continue;
    const VectorResult r = RunVector(v, static_cast<uint16_t>(proxy_port), upstream);
    failed += !r.pass;
    std::string expect;
    for (const std::string& e : v.expect) expect += (expect.empty() ? "" : " | ") + e;
    std::cout << (v.kind == Vector::Kind::kRequest ? "request" : "response") << '\t' << v.id << '\t'
              << expect << '\t' << OneLine(r.observed) << '\t' << (r.pass ? "PASS" : "FAIL") << '\t'
              << OneLine(r.detail) << std::endl;
  }
  std::cerr << "conformance_runner: " << failed << " vectors failed\n";
  upstream.Stop();
  return 0;
}
