#include "taskd/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>

namespace huddle::taskd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr size_t kBodyLimit = 4 * 1024 * 1024;
constexpr auto kReadTimeout = std::chrono::seconds(30);

// One connection; lives as long as an operation on it is in flight.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpHandler& handler)
      : stream_(std::move(socket)), handler_(handler) {}

  void Run() { Read(); }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(kReadTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    http::request<http::string_body> req = parser_->release();
    HttpRequest request;
    request.method = std::string(req.method_string());
    const std::string_view target = req.target();
    const size_t q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    request.body = std::move(req.body());
    if (auto it = req.find(http::field::authorization); it != req.end()) {
      request.authorization = std::string(it->value());
    }
    if (auto it = req.find(http::field::host); it != req.end()) request.host = it->value();
    if (auto it = req.find(http::field::origin); it != req.end()) request.origin = it->value();
    if (auto it = req.find("X-Worker-Secret"); it != req.end()) {
      request.worker_secret = it->value();
    }
    HttpResponse response;
    try {
      response = handler_(request);
    } catch (const std::exception& e) {
      response = HttpResponse{.status = 500, .body = std::string("{\"error\":\"internal\"}")};
    }
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), req.version());
    res->set(http::field::server, "huddle-taskd");
    res->set(http::field::content_type, response.content_type);
    res->keep_alive(req.keep_alive());
    res->body() = std::move(response.body);
    res->prepare_payload();
    const bool close = res->need_eof();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, close](beast::error_code ec, size_t) {
                        if (ec || close) {
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
                          return;
                        }
                        self->Read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpHandler& handler_;
};

}  // namespace

class HttpServer::Impl : public std::enable_shared_from_this<HttpServer::Impl> {
 public:
  explicit Impl(HttpHandler handler) : handler_(std::move(handler)), acceptor_(io_) {}

  core::Result<uint16_t> Bind(const std::string& host, uint16_t port) {
    beast::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) return core::Fail("bad listen address '" + host + "': " + ec.message());
    const tcp::endpoint endpoint(address, port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return core::Fail("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                        ec.message());
    return acceptor_.local_endpoint().port();
  }

  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                             if (ec == asio::error::operation_aborted || !self->acceptor_.is_open())
                               return;
                             if (!ec)
                               std::make_shared<Session>(std::move(socket), self->handler_)->Run();
                             self->Accept();
                           });
  }

  void Run() { io_.run(); }

  void Stop() { io_.stop(); }

  // After the run thread has stopped: closes the acceptor and runs the aborted accept handler, so
  // it drops its reference to this Impl (otherwise the handler, the io_context that holds it and
  // this Impl keep one another alive). Sessions still waiting are destroyed with the io_context.
  void Shutdown() {
    io_.restart();
    beast::error_code ec;
    acceptor_.close(ec);
    io_.poll();
  }

 private:
  HttpHandler handler_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
};

HttpServer::HttpServer(HttpHandler handler) : impl_(std::make_shared<Impl>(std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

core::Result<uint16_t> HttpServer::Start(const std::string& host, uint16_t port) {
  auto bound = impl_->Bind(host, port);
  if (!bound) return bound;
  port_ = *bound;
  impl_->Accept();
  thread_ = std::thread([impl = impl_] { impl->Run(); });
  return port_;
}

void HttpServer::Stop() {
  if (!thread_.joinable()) return;
  impl_->Stop();
  thread_.join();
  impl_->Shutdown();
}

}  // namespace huddle::taskd
