#include "common/admin_http_server.h"

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <list>
#include <utility>

#include "common/http/auth.h"

namespace huddle::common {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Tcp = asio::ip::tcp;

class AdminHttpServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, AdminHandler handler, std::string token, AdminHttpOptions options)
      : io_(io),
        acceptor_(io),
        handler_(std::move(handler)),
        token_(std::move(token)),
        options_(std::move(options)) {}

  void Broadcast(std::string message) {
    auto shared = std::make_shared<const std::string>(std::move(message));
    asio::post(io_, [self = shared_from_this(), shared] {
      for (auto& client : self->clients_) {
        if (client->queue.size() >= 64) continue;  // slow client: drop
        client->queue.push_back(shared);
        if (!client->writing) asio::co_spawn(self->io_, Write(client), asio::detached);
      }
    });
  }
  size_t websocket_clients() const { return client_count_.load(std::memory_order_relaxed); }
  // On the server's own thread (a reload runs there): the rule checked per request changes too.
  void SetToken(std::string token) {
    token_ = std::move(token);
    auth_.token = token_;
  }

  core::Result<uint16_t> Listen(const HostPort& address) {
    boost::system::error_code ec;
    const Tcp::endpoint ep(asio::ip::make_address(address.host, ec), address.port);
    if (ec) return core::Fail("admin: bad address " + address.ToString());
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(128, ec);
    if (ec)
      return core::Fail("admin: cannot listen on " + address.ToString() + ": " + ec.message());
    auth_ = huddle::http::AuthPolicy{
        .token = token_, .listen_host = address.host, .allowed_hosts = options_.allowed_hosts};
    asio::co_spawn(io_, Accept(shared_from_this()), asio::detached);
    return acceptor_.local_endpoint().port();
  }

  void Close() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& client : clients_) {
      client->ws.next_layer().socket().close(ec);
    }
  }

 private:
  struct Client {
    explicit Client(Tcp::socket socket) : ws(std::move(socket)) {}
    beast::websocket::stream<beast::tcp_stream> ws;
    std::deque<std::shared_ptr<const std::string>> queue;
    bool writing = false;
  };

  static asio::awaitable<void> Write(std::shared_ptr<Client> client) {
    client->writing = true;
    while (!client->queue.empty()) {
      auto message = client->queue.front();
      boost::system::error_code ec;
      client->ws.text(true);
      co_await client->ws.async_write(asio::buffer(*message),
                                      asio::redirect_error(asio::use_awaitable, ec));
      client->queue.pop_front();
      if (ec) {
        client->queue.clear();
        break;
      }
    }
    client->writing = false;
  }

  // Runs one WebSocket client: accepts the upgrade, then reads (and ignores) frames until the
  // client goes away; writes come from Broadcast().
  static asio::awaitable<void> ServeWebSocket(std::shared_ptr<Impl> self, beast::tcp_stream stream,
                                              http::request<http::string_body> req) {
    auto client = std::make_shared<Client>(stream.release_socket());
    boost::system::error_code ec;
    client->ws.set_option(
        beast::websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await client->ws.async_accept(req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    auto it = self->clients_.insert(self->clients_.end(), client);
    self->client_count_.fetch_add(1, std::memory_order_relaxed);
    beast::flat_buffer buffer;
    for (;;) {
      co_await client->ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      buffer.consume(buffer.size());
    }
    self->clients_.erase(it);
    self->client_count_.fetch_sub(1, std::memory_order_relaxed);
  }

  static asio::awaitable<void> Accept(std::shared_ptr<Impl> self) {
    for (;;) {
      boost::system::error_code ec;
      Tcp::socket socket(self->io_);
      co_await self->acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (!self->acceptor_.is_open()) co_return;
        continue;
      }
      asio::co_spawn(self->io_, Serve(self, std::move(socket)), asio::detached);
    }
  }

  // The value of token= in a query string, or "".
  static std::string QueryToken(std::string_view query) {
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      if (pair.starts_with("token=")) return std::string(pair.substr(6));
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
    return "";
  }

  static asio::awaitable<void> WriteRefusal(beast::tcp_stream& stream, int status,
                                            std::string message) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set(http::field::server, "huddle-admin");
    res.set(http::field::connection, "close");
    res.body() = message + "\n";
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(30));
    boost::system::error_code ec;
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    // Closing with the rest of the body unread would reset the connection and could destroy the
    // answer before the client reads it: half-close, then drain what the client still sends.
    stream.socket().shutdown(Tcp::socket::shutdown_send, ec);
    std::array<char, 16 * 1024> scratch;
    size_t drained = 0;
    stream.expires_after(std::chrono::seconds(5));
    while (!ec && drained < 64 * 1024 * 1024) {
      drained += co_await stream.async_read_some(asio::buffer(scratch),
                                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  static asio::awaitable<void> Serve(std::shared_ptr<Impl> self, Tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(self->options_.body_limit_bytes);
      stream.expires_after(std::chrono::seconds(30));
      boost::system::error_code ec;
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        // Answer before closing: a client that sent too much learns why (it used to get nothing).
        // The message is built in a named local: GCC 12 destroys temporaries of a conditional
        // expression twice across a co_await.
        int status = 431;
        std::string message = "the request head is larger than 16384 bytes";
        if (ec == http::error::body_limit) {
          status = 413;
          message = "the request body is larger than " +
                    std::to_string(self->options_.body_limit_bytes) + " bytes";
        }
        co_await WriteRefusal(stream, status, std::move(message));
        break;
      }
      if (ec) break;
      const auto& req = parser.get();
      AdminRequest ar;
      ar.method = std::string(req.method_string());
      const std::string target(req.target());
      const size_t q = target.find('?');
      ar.path = target.substr(0, q);
      ar.query = q == std::string::npos ? "" : target.substr(q + 1);
      ar.body = req.body();
      ar.authorization = std::string(req[http::field::authorization]);
      ar.ingest_token = std::string(req["X-Ingest-Token"]);
      const huddle::http::RequestCredentials credentials{.host = req[http::field::host],
                                                         .origin = req[http::field::origin],
                                                         .authorization = ar.authorization};
      if (!self->options_.websocket_path.empty() && ar.path == self->options_.websocket_path &&
          beast::websocket::is_upgrade(req)) {
        const std::string query_token = QueryToken(ar.query);
        const bool token_ok =
            self->token_.empty() || !huddle::http::CheckRequest(self->auth_, credentials, true) ||
            (!query_token.empty() && huddle::http::ConstantTimeEquals(query_token, self->token_));
        if (token_ok && !huddle::http::CheckRequest(self->auth_, credentials, false)) {
          co_await ServeWebSocket(self, std::move(stream), parser.release());
          co_return;
        }
      }
      AdminResponse response;
      // The dashboard's files and the liveness check hold no state and no secret: a browser
      // loads them without the token, then sends it on every API call.
      const bool open_path = (ar.method == "GET" || ar.method == "HEAD") &&
                             (ar.path == "/" || ar.path == "/ui" || ar.path.starts_with("/ui/") ||
                              ar.path == "/healthz");
      if (auto refused = huddle::http::CheckRequest(self->auth_, credentials, !open_path)) {
        response = {refused->status, "text/plain; charset=utf-8", refused->message + "\n"};
      } else {
        response = self->handler_(ar);
      }
      http::response<http::string_body> res{static_cast<http::status>(response.status),
                                            req.version()};
      res.set(http::field::content_type, response.content_type);
      res.set(http::field::server, "huddle-admin");
      res.keep_alive(req.keep_alive());
      res.body() = std::move(response.body);
      res.prepare_payload();
      stream.expires_after(std::chrono::seconds(30));
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !req.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(Tcp::socket::shutdown_both, ignored);
  }

  asio::io_context& io_;
  Tcp::acceptor acceptor_;
  AdminHandler handler_;
  std::string token_;
  AdminHttpOptions options_;
  huddle::http::AuthPolicy auth_;               // set by Listen()
  std::list<std::shared_ptr<Client>> clients_;  // on the io_context's thread only
  std::atomic<size_t> client_count_{0};
};

AdminHttpServer::AdminHttpServer(asio::io_context& io, AdminHandler handler, std::string token)
    : AdminHttpServer(io, std::move(handler), std::move(token), AdminHttpOptions{}) {}

AdminHttpServer::AdminHttpServer(asio::io_context& io, AdminHandler handler, std::string token,
                                 AdminHttpOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(handler), std::move(token), std::move(options))) {}

void AdminHttpServer::SetToken(std::string token) { impl_->SetToken(std::move(token)); }

void AdminHttpServer::Broadcast(std::string message) { impl_->Broadcast(std::move(message)); }

size_t AdminHttpServer::websocket_clients() const { return impl_->websocket_clients(); }

AdminHttpServer::~AdminHttpServer() { impl_->Close(); }

core::Result<uint16_t> AdminHttpServer::Listen(const HostPort& address) {
  return impl_->Listen(address);
}

void AdminHttpServer::Close() { impl_->Close(); }

}  // namespace huddle::common
