/* faultfs: an LD_PRELOAD shim that makes one directory behave like a full, failing or read-only
 * file system, or kills the process at a chosen file operation -- no root, no mount.
 *
 * Only files whose absolute path starts with $FAULTFS_DIR are affected.  Settings (environment):
 *   FAULTFS_LIMIT=N     the directory holds N more bytes: a write past it is cut short, the next
 *                       one fails with ENOSPC (a full disk)
 *   FAULTFS_FAIL=OPS    comma list of open,write,fsync,rename,mkdir,unlink: those calls fail
 *   FAULTFS_ERRNO=N     errno for FAULTFS_FAIL (default EIO; 30 = EROFS, 13 = EACCES)
 *   FAULTFS_MATCH=S     with FAULTFS_FAIL / FAULTFS_KILL_*: only paths containing S
 *   FAULTFS_KILL_AT=N   SIGKILL the process at the Nth matching operation (counted over write,
 *                       fsync, rename, unlink, ftruncate; 1-based)
 *   FAULTFS_KILL_OP=OP  count only this operation for FAULTFS_KILL_AT
 *   FAULTFS_KILL_AFTER=1  kill right after the operation instead of before it
 *   FAULTFS_COUNT_FILE=PATH  at exit, write the number of counted operations there
 * Built by tests/faultfs.py; used by tests/test_crash_consistency.py.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAXFD 65536
static char marked[MAXFD];
static char *fd_names[MAXFD];
static const char *dir;
static size_t dirlen;
static long long limit = -1, used;
static char fail_ops[128];
static int fail_errno = EIO;
static const char *match;
static long long kill_at = -1, counted;
static const char *kill_op;
static int kill_after;
static const char *count_file;
static int ready;

static void report(void) {
    if (count_file) {
        int (*real_open)(const char *, int, ...) = dlsym(RTLD_NEXT, "open");
        int fd = real_open(count_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            char buf[32];
            int n = snprintf(buf, sizeof buf, "%lld\n", counted);
            ssize_t (*real_write)(int, const void *, size_t) = dlsym(RTLD_NEXT, "write");
            if (real_write(fd, buf, n) < 0) { /* nothing to do */ }
            close(fd);
        }
    }
}

static void init(void) {
    if (ready) return;
    ready = 1;
    dir = getenv("FAULTFS_DIR");
    dirlen = dir ? strlen(dir) : 0;
    const char *v;
    if ((v = getenv("FAULTFS_LIMIT"))) limit = atoll(v);
    if ((v = getenv("FAULTFS_FAIL"))) snprintf(fail_ops, sizeof fail_ops, ",%s,", v);
    if ((v = getenv("FAULTFS_ERRNO"))) fail_errno = atoi(v);
    match = getenv("FAULTFS_MATCH");
    if ((v = getenv("FAULTFS_KILL_AT"))) kill_at = atoll(v);
    kill_op = getenv("FAULTFS_KILL_OP");
    kill_after = getenv("FAULTFS_KILL_AFTER") != NULL;
    count_file = getenv("FAULTFS_COUNT_FILE");
    if (count_file) atexit(report);
}

static int under(const char *path) {
    if (!dir || !path) return 0;
    char abs[PATH_MAX];
    if (path[0] != '/') {
        if (!getcwd(abs, sizeof abs)) return 0;
        size_t n = strlen(abs);
        snprintf(abs + n, sizeof abs - n, "/%s", path);
        path = abs;
    }
    return strncmp(path, dir, dirlen) == 0 && (path[dirlen] == '/' || path[dirlen] == '\0');
}

static int matches(const char *path) { return !match || (path && strstr(path, match)); }

static int failing(const char *op, const char *path) {
    char key[32];
    snprintf(key, sizeof key, ",%s,", op);
    return fail_ops[0] && strstr(fail_ops, key) && matches(path);
}

/* Count an operation; kill before it when it is the chosen one (returns 1 to kill after it). */
static int tick(const char *op, const char *path) {
    if (kill_at < 0 && !count_file) return 0;
    if (!matches(path)) return 0;
    if (kill_op && strcmp(kill_op, op) != 0) return 0;
    counted++;
    if (counted == kill_at) {
        if (!kill_after) raise(SIGKILL);
        return 1;
    }
    return 0;
}

static void mark(int fd, const char *path) {
    if (fd < 0 || fd >= MAXFD) return;
    free(fd_names[fd]);
    fd_names[fd] = NULL;
    marked[fd] = under(path);
    if (marked[fd]) fd_names[fd] = strdup(path);
}

#define REAL(name) static __typeof__(&name) real_##name; if (!real_##name) real_##name = dlsym(RTLD_NEXT, #name)

static int open_flags_write(int flags) { return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0; }

int open(const char *path, int flags, ...) {
    init();
    REAL(open);
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) { va_list ap; va_start(ap, flags); mode = va_arg(ap, mode_t); va_end(ap); }
    if (under(path) && open_flags_write(flags) && failing("open", path)) { errno = fail_errno; return -1; }
    int fd = real_open(path, flags, mode);
    mark(fd, path);
    return fd;
}

int open64(const char *path, int flags, ...) {
    init();
    REAL(open64);
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) { va_list ap; va_start(ap, flags); mode = va_arg(ap, mode_t); va_end(ap); }
    if (under(path) && open_flags_write(flags) && failing("open", path)) { errno = fail_errno; return -1; }
    int fd = real_open64(path, flags, mode);
    mark(fd, path);
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...) {
    init();
    REAL(openat);
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) { va_list ap; va_start(ap, flags); mode = va_arg(ap, mode_t); va_end(ap); }
    int ours = (dirfd == AT_FDCWD || path[0] == '/') && under(path);
    if (ours && open_flags_write(flags) && failing("open", path)) { errno = fail_errno; return -1; }
    int fd = real_openat(dirfd, path, flags, mode);
    if (dirfd == AT_FDCWD || path[0] == '/') mark(fd, path);
    return fd;
}

int openat64(int dirfd, const char *path, int flags, ...) {
    init();
    REAL(openat64);
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) { va_list ap; va_start(ap, flags); mode = va_arg(ap, mode_t); va_end(ap); }
    int ours = (dirfd == AT_FDCWD || path[0] == '/') && under(path);
    if (ours && open_flags_write(flags) && failing("open", path)) { errno = fail_errno; return -1; }
    int fd = real_openat64(dirfd, path, flags, mode);
    if (dirfd == AT_FDCWD || path[0] == '/') mark(fd, path);
    return fd;
}

int close(int fd) {
    init();
    REAL(close);
    if (fd >= 0 && fd < MAXFD) { marked[fd] = 0; free(fd_names[fd]); fd_names[fd] = NULL; }
    return real_close(fd);
}

static const char *name_of(int fd) { return (fd >= 0 && fd < MAXFD && marked[fd]) ? fd_names[fd] : NULL; }

/* How many of `count` bytes a write to fd may write; -1 with errno set when none. */
static ssize_t allowance(int fd, size_t count, int *after) {
    *after = 0;
    const char *name = name_of(fd);
    if (!name) return (ssize_t)count;
    if (failing("write", name)) { errno = fail_errno; return -1; }
    *after = tick("write", name);
    if (limit >= 0) {
        long long room = limit - used;
        if (room <= 0) { errno = ENOSPC; return -1; }
        if ((long long)count > room) count = (size_t)room;
    }
    return (ssize_t)count;
}

static ssize_t account(int fd, ssize_t n, int after) {
    if (n > 0 && name_of(fd)) used += n;
    if (after) raise(SIGKILL);
    return n;
}

ssize_t write(int fd, const void *buf, size_t count) {
    init();
    REAL(write);
    int after;
    ssize_t allowed = allowance(fd, count, &after);
    if (allowed < 0) return -1;
    return account(fd, real_write(fd, buf, (size_t)allowed), after);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off) {
    init();
    REAL(pwrite);
    int after;
    ssize_t allowed = allowance(fd, count, &after);
    if (allowed < 0) return -1;
    return account(fd, real_pwrite(fd, buf, (size_t)allowed, off), after);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t off) {
    init();
    REAL(pwrite64);
    int after;
    ssize_t allowed = allowance(fd, count, &after);
    if (allowed < 0) return -1;
    return account(fd, real_pwrite64(fd, buf, (size_t)allowed, off), after);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    init();
    REAL(writev);
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++) total += iov[i].iov_len;
    int after;
    ssize_t allowed = allowance(fd, total, &after);
    if (allowed < 0) return -1;
    if ((size_t)allowed < total) {  /* short: write the allowed prefix of the first buffers */
        REAL(write);
        ssize_t done = 0;
        for (int i = 0; i < iovcnt && done < allowed; i++) {
            size_t take = iov[i].iov_len < (size_t)(allowed - done) ? iov[i].iov_len : (size_t)(allowed - done);
            ssize_t n = real_write(fd, iov[i].iov_base, take);
            if (n < 0) return done ? account(fd, done, after) : -1;
            done += n;
        }
        return account(fd, done, after);
    }
    return account(fd, real_writev(fd, iov, iovcnt), after);
}

static int sync_common(int fd, int (*real)(int)) {
    const char *name = name_of(fd);
    int after = 0;
    if (name) {
        if (failing("fsync", name)) { errno = fail_errno; return -1; }
        after = tick("fsync", name);
    }
    int rc = real(fd);
    if (after) raise(SIGKILL);
    return rc;
}

int fsync(int fd) { init(); REAL(fsync); return sync_common(fd, real_fsync); }
int fdatasync(int fd) { init(); REAL(fdatasync); return sync_common(fd, real_fdatasync); }

int ftruncate(int fd, off_t len) {
    init();
    REAL(ftruncate);
    const char *name = name_of(fd);
    int after = 0;
    if (name) {
        if (failing("write", name)) { errno = fail_errno; return -1; }
        after = tick("ftruncate", name);
    }
    int rc = real_ftruncate(fd, len);
    if (after) raise(SIGKILL);
    return rc;
}

static int rename_check(const char *old, const char *new, int *after) {
    *after = 0;
    if (!(under(old) || under(new))) return 0;
    const char *which = matches(new) ? new : old;
    if (failing("rename", which)) { errno = fail_errno; return -1; }
    *after = tick("rename", which);
    return 0;
}

int rename(const char *old, const char *new) {
    init();
    REAL(rename);
    int after;
    if (rename_check(old, new, &after)) return -1;
    int rc = real_rename(old, new);
    if (after) raise(SIGKILL);
    return rc;
}

int renameat(int olddirfd, const char *old, int newdirfd, const char *new) {
    init();
    REAL(renameat);
    int after = 0;
    if ((olddirfd == AT_FDCWD || old[0] == '/') && (newdirfd == AT_FDCWD || new[0] == '/')
        && rename_check(old, new, &after)) return -1;
    int rc = real_renameat(olddirfd, old, newdirfd, new);
    if (after) raise(SIGKILL);
    return rc;
}

int renameat2(int olddirfd, const char *old, int newdirfd, const char *new, unsigned int flags) {
    init();
    REAL(renameat2);
    int after = 0;
    if ((olddirfd == AT_FDCWD || old[0] == '/') && (newdirfd == AT_FDCWD || new[0] == '/')
        && rename_check(old, new, &after)) return -1;
    int rc = real_renameat2(olddirfd, old, newdirfd, new, flags);
    if (after) raise(SIGKILL);
    return rc;
}

static int unlink_check(const char *path, int *after) {
    *after = 0;
    if (!under(path)) return 0;
    if (failing("unlink", path)) { errno = fail_errno; return -1; }
    *after = tick("unlink", path);
    return 0;
}

int unlink(const char *path) {
    init();
    REAL(unlink);
    int after;
    if (unlink_check(path, &after)) return -1;
    int rc = real_unlink(path);
    if (after) raise(SIGKILL);
    return rc;
}

int unlinkat(int dirfd, const char *path, int flags) {
    init();
    REAL(unlinkat);
    int after = 0;
    if ((dirfd == AT_FDCWD || path[0] == '/') && unlink_check(path, &after)) return -1;
    int rc = real_unlinkat(dirfd, path, flags);
    if (after) raise(SIGKILL);
    return rc;
}

int mkdir(const char *path, mode_t mode) {
    init();
    REAL(mkdir);
    if (under(path) && failing("mkdir", path)) { errno = fail_errno; return -1; }
    return real_mkdir(path, mode);
}
