#include "proxy/chunked_scanner.h"

#include <gtest/gtest.h>

#include <string>

namespace huddle::proxy {
namespace {

TEST(ChunkedScannerTest, FindsTheEndOfABodyAndStopsThere) {
  const std::string body = "4\r\nwiki\r\n5;ext=1\r\npedia\r\n0\r\nx-trailer: 1\r\n\r\n";
  const std::string next = "GET / HTTP/1.1\r\n";
  ChunkedScanner s;
  const std::string all = body + next;
  EXPECT_EQ(s.Scan(all.data(), all.size()), body.size());
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.payload_bytes(), 9u);
}

TEST(ChunkedScannerTest, ByteByByteGivesTheSameAnswer) {
  const std::string body = "a\r\n0123456789\r\n0\r\n\r\n";
  ChunkedScanner s;
  size_t taken = 0;
  for (char c : body) taken += s.Scan(&c, 1);
  EXPECT_EQ(taken, body.size());
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.payload_bytes(), 10u);
}

TEST(ChunkedScannerTest, AcceptsValidTrailersAndTheLargestSize) {
  const std::string body = "1\r\nx\r\n0\r\nx-checksum: abc\r\nx-t:\r\n\r\n";
  ChunkedScanner s;
  EXPECT_EQ(s.Scan(body.data(), body.size()), body.size());
  EXPECT_TRUE(s.done());
  ChunkedScanner big;
  const std::string size = "4000000000000000\r\n";  // exactly 2^62: allowed, not wrapped
  EXPECT_EQ(big.Scan(size.data(), size.size()), size.size());
  EXPECT_FALSE(big.failed());
}

TEST(ChunkedScannerTest, RejectsSmugglingShapes) {
  for (const std::string bad : {"4\nwiki\r\n0\r\n\r\n",       // bare LF
                                "4 \r\nwiki\r\n0\r\n\r\n",    // whitespace after size
                                "x\r\n",                      // not hex
                                "\r\n",                       // empty size
                                "11111111111111111\r\n",      // 17 digits: overflow
                                "4\r\nwikiX\r\n",             // data longer than size
                                "0\r\n folded: x\r\n\r\n",    // obs-fold trailer
                                "ffffffffffffffff\r\n",       // 2^64-1: wraps any total
                                "4000000000000001\r\n",       // just over 2^62
                                "0\r\nno-colon\r\n\r\n",      // trailer without a colon
                                "0\r\nbad name: v\r\n\r\n",   // space in a trailer name
                                "0\r\n: v\r\n\r\n",           // empty trailer name
                                "0\r\nx: a\x01b\r\n\r\n"}) {  // control byte in a value
    ChunkedScanner s;
    s.Scan(bad.data(), bad.size());
    EXPECT_TRUE(s.failed()) << bad;
    EXPECT_FALSE(s.done()) << bad;
  }
}

}  // namespace
}  // namespace huddle::proxy
