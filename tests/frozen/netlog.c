/* LD_PRELOAD shim for tests/frozen/test_offline_frozen.py: logs every network call of a
 * process (and of the processes it starts) to $SAFEGUARD_NET_LOG, the way the audit hook of
 * tests/test_offline.py does for a checkout run. A frozen bundle ignores PYTHONPATH and
 * sitecustomize, so the watch sits below Python, in libc's connect/sendto/getaddrinfo.
 * Unix-domain sockets (the pipe to the engine child, D-Bus) and netlink are not network. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void note(const char *what, int family) {
    const char *path = getenv("SAFEGUARD_NET_LOG");
    if (!path) return;
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "%d %s %d\n", (int)getpid(), what, family);
    fclose(f);
}
__attribute__((constructor)) static void loaded(void) { note("hook", 0); }
int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real)(int, const struct sockaddr *, socklen_t);
    if (!real) real = dlsym(RTLD_NEXT, "connect");
    if (addr && addr->sa_family != AF_UNIX) note("NETWORK connect", addr->sa_family);
    return real(fd, addr, len);
}
ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t len) {
    static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    if (!real) real = dlsym(RTLD_NEXT, "sendto");
    if (addr && addr->sa_family != AF_UNIX && addr->sa_family != AF_NETLINK) note("NETWORK sendto", addr->sa_family);
    return real(fd, buf, n, flags, addr, len);
}
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    static int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
    if (!real) real = dlsym(RTLD_NEXT, "getaddrinfo");
    note("NETWORK getaddrinfo", 0);
    return real(node, service, hints, res);
}
