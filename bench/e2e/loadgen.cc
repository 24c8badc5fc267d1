// Closed-loop HTTP/1.1 load generator for the side-by-side runs: C keep-alive connections on one
// thread, every request's latency recorded (raw percentiles, no coordinated-omission
// "correction" as wrk applies). Output: one line of key=value pairs.
//   loadgen PORT CONNECTIONS SECONDS
#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

struct Stats {
  std::vector<double> latency_ms;
  uint64_t ok = 0, non2xx = 0, errors = 0;
};

asio::awaitable<void> Client(uint16_t port, Clock::time_point end, Stats& stats) {
  auto ex = co_await asio::this_coro::executor;
  const std::string request = "GET / HTTP/1.1\r\nhost: bench\r\n\r\n";
  std::string buffer;
  char chunk[8192];
  while (Clock::now() < end) {
    asio::ip::tcp::socket socket(ex);
    error_code ec;
    co_await socket.async_connect({asio::ip::address_v4::loopback(), port},
                                  asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      ++stats.errors;
      asio::steady_timer t(ex, std::chrono::milliseconds(10));
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    socket.set_option(asio::ip::tcp::no_delay(true));
    buffer.clear();
    while (Clock::now() < end) {
      const auto start = Clock::now();
      co_await asio::async_write(socket, asio::buffer(request),
                                 asio::redirect_error(asio::use_awaitable, ec));
      size_t head_end = std::string::npos;
      while (!ec && (head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const size_t n = co_await socket.async_read_some(
            asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
        buffer.append(chunk, n);
      }
      if (ec) break;
      const int status = std::atoi(buffer.c_str() + 9);
      size_t length = 0;
      const size_t cl = std::min(buffer.find("ontent-Length:"), buffer.find("ontent-length:"));
      if (cl < head_end) length = std::strtoul(buffer.c_str() + cl + 14, nullptr, 10);
      const bool close = buffer.find("onnection: close") < head_end;
      while (!ec && buffer.size() < head_end + 4 + length) {
        const size_t n = co_await socket.async_read_some(
            asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
        buffer.append(chunk, n);
      }
      if (ec) break;
      buffer.erase(0, head_end + 4 + length);
      stats.latency_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      if (status >= 200 && status < 300) {
        ++stats.ok;
      } else {
        ++stats.non2xx;
      }
      if (close) break;
    }
    if (ec && Clock::now() < end) ++stats.errors;  // a request lost mid-flight
  }
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: loadgen PORT CONNECTIONS SECONDS\n");
    return 2;
  }
  const auto port = static_cast<uint16_t>(std::atoi(argv[1]));
  const int connections = std::atoi(argv[2]);
  const double seconds = std::atof(argv[3]);
  asio::io_context io(1);
  Stats stats;
  stats.latency_ms.reserve(2'000'000);
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int i = 0; i < connections; ++i)
    asio::co_spawn(io, Client(port, end, stats), asio::detached);
  io.run();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  auto& v = stats.latency_ms;
  std::sort(v.begin(), v.end());
  auto q = [&v](double p) {
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
  };
  std::printf(
      "requests=%zu rps=%.0f ok=%llu non2xx=%llu errors=%llu p50=%.3f p95=%.3f p99=%.3f max=%.3f\n",
      v.size(), v.size() / elapsed, static_cast<unsigned long long>(stats.ok),
      static_cast<unsigned long long>(stats.non2xx), static_cast<unsigned long long>(stats.errors),
      q(0.50), q(0.95), q(0.99), v.empty() ? 0.0 : v.back());
  return 0;
}
