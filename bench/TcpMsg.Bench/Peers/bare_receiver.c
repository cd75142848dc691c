/*
 * bare_receiver: the floor of the tcpmsg benchmarks. It accepts TCP connections on one loopback
 * port, reads every byte with one epoll loop on one thread, and only counts: bytes, line feeds and
 * the sum of all bytes (a cheap check that the bytes arrived intact). When a client has finished
 * sending (read returns 0) it closes its side, as tcpmsg does, so the client's wait for the
 * server's close works the same against every peer.
 *
 * It prints nothing per message. Its counters live in a small file mapped with MAP_SHARED, so the
 * harness reads them without a system call on this side:
 *   u64 bytes, u64 lines, u64 byte_sum, u64 accepted, u64 closed   (little-endian, offset 0)
 *
 * usage: bare_receiver ADDRESS PORT COUNTERS_FILE          (stops on SIGTERM or SIGINT)
 *
 * C, not C#: a floor should carry no runtime of its own (no JIT, no GC heap, no thread pool), so
 * that its idle RSS per connection is what the kernel costs and its throughput is what loopback
 * and one copy out of the socket cost.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUFFER (256 * 1024)
#define MAX_EVENTS 256

struct counters {
    volatile uint64_t bytes;
    volatile uint64_t lines;
    volatile uint64_t byte_sum;
    volatile uint64_t accepted;
    volatile uint64_t closed;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static uint64_t count_lines(const unsigned char *p, size_t n)
{
    uint64_t lines = 0;
    const unsigned char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines;
}

static uint64_t sum_bytes(const unsigned char *p, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += p[i];
    return sum;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s ADDRESS PORT COUNTERS_FILE\n", argv[0]);
        return 2;
    }

    int counters_fd = open(argv[3], O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (counters_fd < 0 || ftruncate(counters_fd, 4096) != 0) { perror("counters file"); return 1; }
    struct counters *c = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, counters_fd, 0);
    if (c == MAP_FAILED) { perror("mmap"); return 1; }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", argv[1]); return 2; }

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 4096) != 0) {
        perror("listen");
        return 1;
    }

    int epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = { .events = EPOLLIN, .data.fd = listener };
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);

    static unsigned char buffer[READ_BUFFER];
    struct epoll_event events[MAX_EVENTS];
    while (!stop_requested) {
        int ready = epoll_wait(epoll, events, MAX_EVENTS, 200);
        if (ready < 0 && errno != EINTR) { perror("epoll_wait"); return 1; }
        for (int i = 0; i < ready; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int client;
                while ((client = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    struct epoll_event client_event = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = client };
                    epoll_ctl(epoll, EPOLL_CTL_ADD, client, &client_event);
                    c->accepted++;
                }
                continue;
            }

            for (;;) {
                ssize_t n = read(fd, buffer, sizeof buffer);
                if (n > 0) {
                    c->bytes += (uint64_t)n;
                    c->lines += count_lines(buffer, (size_t)n);
                    c->byte_sum += sum_bytes(buffer, (size_t)n);
                    if ((size_t)n < sizeof buffer) break;
                    continue;
                }
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
                /* 0: the client finished sending; an error: it is gone. Close our side either way. */
                close(fd);
                c->closed++;
                break;
            }
        }
    }

    msync(c, 4096, MS_SYNC);
    return 0;
}
