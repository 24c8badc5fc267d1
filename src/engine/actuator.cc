#include "engine/actuator.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/http_client.h"

extern char** environ;

namespace huddle::engine {
namespace {

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
  WebhookActuator(std::string url, bool dry_run, core::Duration timeout)
      : url_(std::move(url)), dry_run_(dry_run), timeout_(timeout) {}
  std::string_view name() const override { return "webhook"; }

  core::Result<Actuation> Apply(const Directive& d) override {
    const std::string body =
        nlohmann::json{{"id", d.id},       {"service", d.service}, {"from", d.from}, {"to", d.to},
                       {"replicas", d.to}, {"reason", d.reason},   {"act", d.act}}
            .dump();
    Actuation a;
    if (dry_run_) {
      a.detail = "dry-run: POST " + url_ + " " + body;
      return a;
    }
    auto r = HttpRequest("POST", url_, body, "application/json", timeout_);
    if (!r) return core::Fail("webhook: " + r.error().message);
    if (r->status < 200 || r->status > 299) {
      return core::Fail("webhook: HTTP " + std::to_string(r->status));
    }
    a.executed = true;
    a.detail = "webhook: HTTP " + std::to_string(r->status);
    return a;
  }

 private:
  std::string url_;
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
  if (url.rfind("http://", 0) != 0 || url.size() <= 7) {
    return core::Fail("webhook url must start with http://");
  }
  return std::make_unique<WebhookActuator>(url, dry_run, timeout);
}

core::Result<std::unique_ptr<Actuator>> MakeCommandActuator(const std::string& command_template,
                                                            bool dry_run, core::Duration timeout) {
  if (command_template.empty()) return core::Fail("command template is empty");
  return std::make_unique<CommandActuator>(command_template, dry_run, timeout);
}

}  // namespace huddle::engine
