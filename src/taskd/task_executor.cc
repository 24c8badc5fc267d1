#include "taskd/task_executor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace huddle::taskd {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

}  // namespace

TaskExecutor::TaskExecutor(Options options) : options_(options) {}

TaskExecutor::~TaskExecutor() {
  StopAll();
  std::vector<std::shared_ptr<Running>> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, r] : running_) all.push_back(r);
    for (auto& r : finished_) all.push_back(r);
    running_.clear();
    finished_.clear();
  }
  for (auto& r : all) {
    if (r->thread.joinable()) r->thread.join();
  }
}

void TaskExecutor::QueueLocked(WorkerReport::Type type, core::TaskId task, uint64_t attempt,
                               TaskResult result) {
  reports_.push_back(WorkerReport{.seq = next_seq_++,
                                  .type = type,
                                  .task = task,
                                  .attempt = attempt,
                                  .result = std::move(result)});
  reported_.notify_all();
}

void TaskExecutor::Start(core::TaskId task, uint64_t attempt, const TaskSpec& spec) {
  std::lock_guard lock(mutex_);
  if (running_.contains(task) || static_cast<int>(running_.size()) >= options_.slots) {
    QueueLocked(WorkerReport::Type::kRejected, task, attempt);
    return;
  }
  auto r = std::make_shared<Running>();
  r->task = task;
  r->attempt = attempt;
  r->spec = spec;
  r->epoch = epoch_;
  r->order = ++started_;
  running_[task] = r;
  QueueLocked(WorkerReport::Type::kStarted, task, attempt);
  r->thread = std::thread([this, r] { Run(r); });
}

void TaskExecutor::Cancel(core::TaskId task, uint64_t attempt) {
  std::lock_guard lock(mutex_);
  const auto it = running_.find(task);
  if (it == running_.end()) {
    QueueLocked(WorkerReport::Type::kStopped, task, attempt);
    return;
  }
  Running& r = *it->second;
  if (r.stop_at_ns.load() == 0) {
    r.stop_at_ns =
        NowNs() + std::chrono::duration_cast<std::chrono::nanoseconds>(options_.stop_delay).count();
  }
}

void TaskExecutor::StopAll() {
  std::lock_guard lock(mutex_);
  ++epoch_;
  const int64_t now = NowNs();
  for (auto& [id, r] : running_) {
    r->stop_at_ns = now;
    if (const int pid = r->pid.load(); pid > 0) ::kill(-pid, SIGKILL);
    finished_.push_back(r);
  }
  running_.clear();
  reports_.clear();
}

void TaskExecutor::Run(std::shared_ptr<Running> r) {
  TaskResult result = r->spec.kind == TaskKind::kCommand ? RunCommand(*r) : RunSynthetic(*r);
  std::lock_guard lock(mutex_);
  r->done_thread = true;
  if (r->epoch != epoch_) return;  // fenced by StopAll: nothing to report
  const auto it = running_.find(r->task);
  if (it != running_.end() && it->second == r) running_.erase(it);
  finished_.push_back(r);
  if (r->stop_requested) {
    QueueLocked(WorkerReport::Type::kStopped, r->task, r->attempt);
  } else {
    QueueLocked(WorkerReport::Type::kFinished, r->task, r->attempt, std::move(result));
  }
}

bool TaskExecutor::ShouldStop(Running& r) {
  const int64_t at = r.stop_at_ns.load();
  if (at == 0 || NowNs() < at) return false;
  r.stop_requested = true;
  return true;
}

TaskResult TaskExecutor::RunSynthetic(Running& r) {
  const auto end = Clock::now() + r.spec.duration;
  while (Clock::now() < end) {
    if (ShouldStop(r)) return TaskResult{.ok = false, .error = "stopped"};
    if (options_.spin) {
      // Burn about a millisecond of CPU between checks.
      const auto slice = Clock::now() + std::chrono::milliseconds(1);
      volatile uint64_t x = 0;
      while (Clock::now() < slice) x = x + 1;
    } else {
      std::this_thread::sleep_for(
          std::min<core::Duration>(std::chrono::milliseconds(5), end - Clock::now()));
    }
  }
  if (ShouldStop(r)) return TaskResult{.ok = false, .error = "stopped"};
  return TaskResult{.ok = true, .exit_code = 0};
}

TaskResult TaskExecutor::RunCommand(Running& r) {
  std::vector<char*> argv;
  for (std::string& a : r.spec.argv) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return TaskResult{.ok = false, .exit_code = -1, .error = std::strerror(errno)};
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return TaskResult{.ok = false, .exit_code = -1, .error = std::strerror(errno)};
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::execvp(argv[0], argv.data());
    static const char kMsg[] = "exec failed\n";
    [[maybe_unused]] auto n = ::write(2, kMsg, sizeof(kMsg) - 1);
    ::_exit(127);
  }
  ::close(fds[1]);
  r.pid = pid;
  std::string output;
  bool killed = false;
  char buffer[4096];
  while (true) {
    if (!killed && ShouldStop(r)) {
      ::kill(-pid, SIGKILL);
      killed = true;
    }
    pollfd p{.fd = fds[0], .events = POLLIN, .revents = 0};
    const int ready = ::poll(&p, 1, 20);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = ::read(fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const size_t room = kMaxOutputBytes - std::min(kMaxOutputBytes, output.size());
    output.append(buffer, std::min<size_t>(room, static_cast<size_t>(n)));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.pid = 0;
  if (killed || ShouldStop(r)) {
    r.stop_requested = true;
    return TaskResult{.ok = false, .exit_code = -1, .output = output, .error = "stopped"};
  }
  TaskResult result;
  result.output = std::move(output);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
    result.ok = result.exit_code == 0;
    if (result.exit_code == 127) result.error = "could not execute " + r.spec.argv.front();
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
    result.error = std::string("killed by signal ") + ::strsignal(WTERMSIG(status));
  }
  return result;
}

TaskExecutor::Snapshot TaskExecutor::Take() {
  std::lock_guard lock(mutex_);
  for (auto& r : finished_) {
    if (r->thread.joinable() && r->done_thread) r->thread.join();
  }
  std::erase_if(finished_, [](const std::shared_ptr<Running>& r) { return !r->thread.joinable(); });
  Snapshot s;
  for (const auto& [id, r] : running_) {
    s.running.push_back(id);
    s.cores_busy += 1.0;
    s.memory_gb += r->spec.requirements.memory_gb;
  }
  s.reports = reports_;
  last_taken_seq_ = next_seq_ - 1;
  return s;
}

std::vector<core::TaskId> TaskExecutor::RunningTasks() {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<uint64_t, core::TaskId>> order;
  for (const auto& [id, r] : running_) {
    if (r->stop_at_ns.load() == 0) order.emplace_back(r->order, id);
  }
  std::sort(order.rbegin(), order.rend());
  std::vector<core::TaskId> out;
  for (const auto& [o, id] : order) out.push_back(id);
  return out;
}

void TaskExecutor::Acknowledge(uint64_t report_seq) {
  std::lock_guard lock(mutex_);
  std::erase_if(reports_, [report_seq](const WorkerReport& r) { return r.seq <= report_seq; });
}

void TaskExecutor::WaitForReport(core::Duration timeout) {
  std::unique_lock lock(mutex_);
  reported_.wait_for(lock, timeout, [this] { return next_seq_ - 1 > last_taken_seq_; });
}

}  // namespace huddle::taskd
