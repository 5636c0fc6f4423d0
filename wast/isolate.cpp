// isolate.cpp — fork/pipe/wait around one script file.
#include "wast/isolate.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace wippy::wast {

namespace {

void write_counts(int fd, const WastCounts& c) {
  uint32_t msg[3] = {c.passed, c.failed, c.skipped};
  size_t done = 0;
  while (done < sizeof msg) {
    ssize_t n = write(fd, reinterpret_cast<const char*>(msg) + done, sizeof msg - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += size_t(n);
  }
}

std::string describe_status(int status, unsigned timeout_seconds) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM) return fmt::format("timed out after {} s", timeout_seconds);
    return fmt::format("killed by signal {} ({})", sig, strsignal(sig));
  }
  return fmt::format("exited with status {}", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

}  // namespace

WastCounts run_isolated(const std::string& file, unsigned timeout_seconds,
                        const std::function<WastCounts(const ReportFn& report)>& body) {
  std::fflush(stdout);
  std::fflush(stderr);
  ReportFn no_report = [](const WastCounts&) {};
  int fds[2];
  if (pipe(fds) != 0) return body(no_report);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return body(no_report);
  }
  if (pid == 0) {
    close(fds[0]);
    if (timeout_seconds) alarm(timeout_seconds);
    int fd = fds[1];
    WastCounts c = body([fd](const WastCounts& now) { write_counts(fd, now); });
    write_counts(fd, c);
    std::fflush(stdout);
    _exit(0);
  }
  close(fds[1]);
  WastCounts last;
  uint32_t msg[3];
  size_t got = 0;
  for (;;) {
    ssize_t n = read(fds[0], reinterpret_cast<char*>(msg) + got, sizeof msg - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += size_t(n);
    if (got == sizeof msg) {
      last = {msg[0], msg[1], msg[2]};
      got = 0;
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return last;
  fmt::print(stderr, "{}: crashed ({})\n", file, describe_status(status, timeout_seconds));
  ++last.failed;
  return last;
}

}  // namespace wippy::wast
