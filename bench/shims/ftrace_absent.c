// SPDX-License-Identifier: MIT
/*
 * ftrace_absent.so - an LD_PRELOAD shim that lets trace-cmd record events on
 * a kernel whose function-tracer controls refuse writes even to root.
 *
 * On this VM, writing /proc/sys/kernel/ftrace_enabled (and the tracefs
 * function-tracer files such as set_ftrace_pid) fails with EPERM. trace-cmd
 * record treats EPERM there as fatal ("Can't enable ftrace"), but treats an
 * absent file as "this kernel has no function tracer" and carries on with
 * plain event tracing, which is all the benchmark asks of it. So the shim
 * makes exactly those files look absent: open/stat/access of them fail with
 * ENOENT. Every other path goes to libc untouched.
 *
 * Which files: found with `strace -f -e trace=%file,write trace-cmd record
 * -e skb:kfree_skb -T ...` (see docs/benchmarks.md).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* suffixes, so both /sys/kernel/tracing and instance paths match */
static const char *const hidden[] = {
	"/proc/sys/kernel/ftrace_enabled",
	"/available_filter_functions",
	"/set_ftrace_filter",
	"/set_ftrace_notrace",
	"/set_ftrace_pid",
	"/set_ftrace_notrace_pid",
	"/set_graph_function",
	"/set_graph_notrace",
	"/options/function-trace",
	"/function_profile_enabled",
	NULL,
};

static int is_hidden(const char *path)
{
	size_t len;

	if (!path)
		return 0;
	len = strlen(path);
	for (const char *const *h = hidden; *h; h++) {
		size_t hl = strlen(*h);

		if (len >= hl && !strcmp(path + len - hl, *h))
			return 1;
	}
	return 0;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

/* mode is only passed on when O_CREAT/O_TMPFILE asks for it (open(2)) */
static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (is_hidden(path))
		return errno = ENOENT, -1;
	return REAL(open)(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (is_hidden(path))
		return errno = ENOENT, -1;
	return REAL(open64)(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (is_hidden(path))
		return errno = ENOENT, -1;
	return REAL(openat)(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (is_hidden(path))
		return errno = ENOENT, -1;
	return REAL(openat64)(dirfd, path, flags, mode);
}

int access(const char *path, int mode)
{
	if (is_hidden(path))
		return errno = ENOENT, -1;
	return REAL(access)(path, mode);
}

int stat(const char *path, struct stat *st)
{
	if (is_hidden(path))
		return errno = ENOENT, -1;
	return REAL(stat)(path, st);
}

int lstat(const char *path, struct stat *st)
{
	if (is_hidden(path))
		return errno = ENOENT, -1;
	return REAL(lstat)(path, st);
}

int stat64(const char *path, struct stat64 *st)
{
	if (is_hidden(path))
		return errno = ENOENT, -1;
	return REAL(stat64)(path, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	if (is_hidden(path))
		return errno = ENOENT, -1;
	return REAL(fstatat)(dirfd, path, st, flags);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	if (is_hidden(path))
		return errno = ENOENT, -1;
	return REAL(fstatat64)(dirfd, path, st, flags);
}
