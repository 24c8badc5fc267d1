// The /ws tick stream: the engine broadcasts each tick through the admin server's WebSocket
// option (an additive change to common/admin_http_server made for the engine).
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/admin_http_server.h"
#include "engine/engine.h"
#include "engine/engine_json.h"

namespace huddle::engine {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

TEST(WebSocketStreamTest, EveryTickReachesConnectedClients) {
  asio::io_context io;
  common::AdminHttpOptions options;
  options.websocket_path = "/ws";
  common::AdminHttpServer server(
      io,
      [](const common::AdminRequest&) {
        return common::AdminResponse{404, "text/plain", ""};
      },
      "", options);
  auto port = server.Listen({"127.0.0.1", 0});
  ASSERT_TRUE(port.has_value());
  std::thread thread([&] { io.run(); });

  asio::io_context client_io;
  asio::ip::tcp::resolver resolver(client_io);
  beast::websocket::stream<asio::ip::tcp::socket> ws(client_io);
  asio::connect(ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(*port)));
  ws.handshake("127.0.0.1", "/ws");
  // Wait (with a deadline) until the server has registered the client.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.websocket_clients() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(server.websocket_clients(), 1u);

  Engine engine;
  TelemetryPoint p;
  p.service_id = "api";
  p.request_rate = 12;
  ASSERT_TRUE(engine.Ingest(p, core::TimePoint{}).has_value());
  const TickReport report = engine.Tick(core::TimePoint{});
  server.Broadcast(TickJson(engine, report, 0.0).dump());

  beast::flat_buffer buffer;
  ws.read(buffer);
  const auto j = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
  EXPECT_EQ(j["tick"], 1);
  EXPECT_EQ(j["services"][0]["id"], "api");
  ws.close(beast::websocket::close_code::normal);
  server.Close();
  io.stop();
  thread.join();
}

}  // namespace
}  // namespace huddle::engine
