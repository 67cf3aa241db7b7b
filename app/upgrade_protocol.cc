#include "app/upgrade_protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace ringress::app::upgrade {

namespace {

constexpr std::string_view kMagic = "RINGRESS-UPGRADE ";

}  // namespace

std::string message(std::string_view kind, std::string_view argument) {
  std::string text(kMagic);
  text += std::to_string(kVersion);
  text += ' ';
  text += kind;
  if (!argument.empty()) {
    text += ' ';
    text += argument;
  }
  return text;
}

std::optional<Parsed> parse(std::string_view text) {
  if (!text.starts_with(kMagic)) return std::nullopt;
  text.remove_prefix(kMagic.size());
  int version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || version != kVersion || end == text.data() + text.size() || *end != ' ')
    return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()) + 1);
  Parsed p;
  std::size_t newline = text.find('\n');
  std::string_view first = text.substr(0, newline);
  if (newline != std::string_view::npos) p.body = std::string(text.substr(newline + 1));
  std::size_t space = first.find(' ');
  p.kind = std::string(first.substr(0, space));
  if (space != std::string_view::npos) p.argument = std::string(first.substr(space + 1));
  if (p.kind.empty()) return std::nullopt;
  return p;
}

std::string label_lines(const std::vector<SocketLabel>& labels) {
  std::string text;
  for (const SocketLabel& l : labels)
    text += std::to_string(l.worker) + ' ' + l.address + ' ' + l.name + '\n';
  return text;
}

std::optional<std::vector<SocketLabel>> parse_labels(std::string_view body) {
  std::vector<SocketLabel> labels;
  while (!body.empty()) {
    std::size_t newline = body.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;
    std::string_view line = body.substr(0, newline);
    body.remove_prefix(newline + 1);
    SocketLabel l;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), l.worker);
    if (ec != std::errc() || end == line.data() + line.size() || *end != ' ') return std::nullopt;
    line.remove_prefix(static_cast<std::size_t>(end - line.data()) + 1);
    std::size_t space = line.find(' ');
    if (space == 0 || space == std::string_view::npos) return std::nullopt;
    l.address = std::string(line.substr(0, space));
    l.name = std::string(line.substr(space + 1));
    labels.push_back(std::move(l));
  }
  return labels;
}

int send_with_fds(int socket, std::string_view text, const std::vector<int>& fds) {
  iovec iov{const_cast<char*>(text.data()), text.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control;
  if (!fds.empty()) {
    control.assign(CMSG_SPACE(sizeof(int) * fds.size()), 0);
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  for (;;) {
    ssize_t n = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
    if (n >= 0) return 0;
    if (errno != EINTR) return -errno;
  }
}

long receive_with_fds(int socket, std::string& text, std::vector<int>& fds) {
  text.assign(kMaxMessage, '\0');
  iovec iov{text.data(), text.size()};
  std::vector<char> control(CMSG_SPACE(sizeof(int) * kSocketsPerMessage), 0);
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  ssize_t n;
  do {
    n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    text.clear();
    return -errno;
  }
  text.resize(static_cast<std::size_t>(n));
  std::size_t first = fds.size();
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds.push_back(fd);
    }
  }
  if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) {
    for (std::size_t i = first; i < fds.size(); ++i) ::close(fds[i]);
    fds.resize(first);
    return -EMSGSIZE;
  }
  return n;
}

}  // namespace ringress::app::upgrade
