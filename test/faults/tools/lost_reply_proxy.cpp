// A TCP proxy for the lost-reply test: it relays a PostgreSQL connection
// unchanged, except that the first time a client message contains MARKER, it
// forwards that message and then, when the server starts to answer, closes
// both sides without passing the answer on. The server has done the work; the
// client never hears of it. Later connections are relayed untouched.
//   lost_reply_proxy LISTEN_PORT SERVER_PORT MARKER
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

std::atomic<bool> reply_dropped{false};

int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const char *data, ssize_t size) {
  while (size > 0) {
    ssize_t sent = send(fd, data, static_cast<size_t>(size), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    data += sent;
    size -= sent;
  }
  return true;
}

void relay(int client, int server_port, std::string marker) {
  int server = connect_to(server_port);
  bool cut_next_reply = false;
  char buffer[65536];
  while (server >= 0) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (poll(fds, 2, -1) <= 0) break;
    if (fds[0].revents) {
      ssize_t got = recv(client, buffer, sizeof buffer, 0);
      if (got <= 0 || !send_all(server, buffer, got)) break;
      if (!reply_dropped && std::string(buffer, static_cast<size_t>(got)).find(marker) != std::string::npos)
        cut_next_reply = !reply_dropped.exchange(true);
    }
    if (fds[1].revents) {
      ssize_t got = recv(server, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      if (cut_next_reply) {
        std::fprintf(stderr, "lost_reply_proxy: dropped %zd bytes of the answer and cut the connection\n",
                     got);
        break;
      }
      if (!send_all(client, buffer, got)) break;
    }
  }
  if (server >= 0) close(server);
  close(client);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: lost_reply_proxy LISTEN_PORT SERVER_PORT MARKER\n");
    return 2;
  }
  const int listen_port = std::atoi(argv[1]), server_port = std::atoi(argv[2]);
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int yes = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(listen_port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The port may still be held for a moment by a proxy that is exiting.
  for (int attempt = 1; bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0;
       ++attempt) {
    if (attempt == 100) {
      std::perror("lost_reply_proxy: bind");
      return 1;
    }
    usleep(50 * 1000);
  }
  if (listen(listener, 64) != 0) {
    std::perror("lost_reply_proxy: listen");
    return 1;
  }
  std::fprintf(stderr, "lost_reply_proxy: listening on %d\n", listen_port);
  while (true) {
    int client = accept(listener, nullptr, nullptr);
    if (client < 0) continue;
    std::thread(relay, client, server_port, std::string(argv[3])).detach();
  }
}
