#include "engine/actuator.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

extern char** environ;

namespace huddle::engine {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

class LogActuator final : public Actuator {
 public:
  explicit LogActuator(std::ostream& out) : out_(out) {}
  std::string_view name() const override { return "log"; }
  core::Result<Actuation> Apply(const Directive& d) override {
    Actuation a;
    a.detail = "directive " + std::to_string(d.id) + ": " + d.service + " " +
               std::to_string(d.from) + " -> " + std::to_string(d.to) + " (" + d.reason + ")";
    out_ << a.detail << '\n';
    return a;
  }

 private:
  std::ostream& out_;
};

class WebhookActuator final : public Actuator {
 public:
  WebhookActuator(std::string host, std::string port, std::string target, bool dry_run,
                  core::Duration timeout)
      : host_(std::move(host)),
        port_(std::move(port)),
        target_(std::move(target)),
        dry_run_(dry_run),
        timeout_(timeout) {}
  std::string_view name() const override { return "webhook"; }

  core::Result<Actuation> Apply(const Directive& d) override {
    const std::string body =
        nlohmann::json{{"id", d.id},       {"service", d.service}, {"from", d.from}, {"to", d.to},
                       {"replicas", d.to}, {"reason", d.reason},   {"act", d.act}}
            .dump();
    Actuation a;
    if (dry_run_) {
      a.detail = "dry-run: POST http://" + host_ + ":" + port_ + target_ + " " + body;
      return a;
    }
    asio::io_context io;
    beast::tcp_stream stream(io);
    beast::error_code ec;
    asio::ip::tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(host_, port_, ec);
    if (ec) return core::Fail("webhook: resolve " + host_ + ": " + ec.message());
    stream.expires_after(timeout_);
    stream.connect(endpoints, ec);
    if (ec) return core::Fail("webhook: connect " + host_ + ":" + port_ + ": " + ec.message());
    http::request<http::string_body> req{http::verb::post, target_, 11};
    req.set(http::field::host, host_);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::user_agent, "huddle-engine");
    req.body() = body;
    req.prepare_payload();
    stream.expires_after(timeout_);
    http::write(stream, req, ec);
    if (ec) return core::Fail("webhook: write: " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    stream.expires_after(timeout_);
    http::read(stream, buffer, parser, ec);
    if (ec) return core::Fail("webhook: read: " + ec.message());
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    const unsigned status = parser.get().result_int();
    if (status < 200 || status > 299) {
      return core::Fail("webhook: HTTP " + std::to_string(status));
    }
    a.executed = true;
    a.detail = "webhook: HTTP " + std::to_string(status);
    return a;
  }

 private:
  std::string host_;
  std::string port_;
  std::string target_;
  bool dry_run_;
  core::Duration timeout_;
};

class CommandActuator final : public Actuator {
 public:
  CommandActuator(std::string command_template, bool dry_run, core::Duration timeout)
      : template_(std::move(command_template)), dry_run_(dry_run), timeout_(timeout) {}
  std::string_view name() const override { return "command"; }

  core::Result<Actuation> Apply(const Directive& d) override {
    Actuation a;
    const std::string command = RenderCommand(template_, d);
    if (dry_run_) {
      a.detail = "dry-run: " + command;
      return a;
    }
    pid_t pid = 0;
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    const int rc =
        posix_spawn(&pid, "/bin/sh", &actions, nullptr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return core::Fail("command: cannot start /bin/sh: " + std::to_string(rc));
    // Wait with a deadline: poll the child, kill it when the timeout passes.
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    int status = 0;
    for (;;) {
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      if (done < 0) return core::Fail("command: waitpid failed");
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return core::Fail("command: timed out: " + command);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return core::Fail("command: exit status " +
                        std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ": " +
                        command);
    }
    a.executed = true;
    a.detail = "command: " + command;
    return a;
  }

 private:
  std::string template_;
  bool dry_run_;
  core::Duration timeout_;
};

}  // namespace

std::string RenderCommand(std::string_view command_template, const Directive& d) {
  std::string out;
  for (size_t i = 0; i < command_template.size();) {
    auto take = [&](std::string_view key, const std::string& value) {
      if (command_template.substr(i, key.size()) != key) return false;
      out += value;
      i += key.size();
      return true;
    };
    if (take("{service}", ShellQuote(d.service)) || take("{replicas}", std::to_string(d.to)) ||
        take("{from}", std::to_string(d.from))) {
      continue;
    }
    out += command_template[i++];
  }
  return out;
}

std::unique_ptr<Actuator> MakeLogActuator(std::ostream& out) {
  return std::make_unique<LogActuator>(out);
}

core::Result<std::unique_ptr<Actuator>> MakeWebhookActuator(const std::string& url, bool dry_run,
                                                            core::Duration timeout) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) return core::Fail("webhook url must start with http://");
  const std::string rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = authority;
  std::string port = "80";
  if (const size_t colon = authority.rfind(':');
      colon != std::string::npos && authority.find(']') == std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || port.empty()) return core::Fail("webhook url has no host: " + url);
  return std::make_unique<WebhookActuator>(host, port, target, dry_run, timeout);
}

core::Result<std::unique_ptr<Actuator>> MakeCommandActuator(const std::string& command_template,
                                                            bool dry_run, core::Duration timeout) {
  if (command_template.empty()) return core::Fail("command template is empty");
  return std::make_unique<CommandActuator>(command_template, dry_run, timeout);
}

}  // namespace huddle::engine
