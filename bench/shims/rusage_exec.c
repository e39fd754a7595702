// SPDX-License-Identifier: MIT
/*
 * rusage_exec - run a command and write what it cost as one JSON line.
 *
 *   rusage_exec OUT.json CMD [ARGS...]
 *
 * The benchmark needs each tool's own CPU, children included (trace-cmd
 * records with one child per CPU, bcc runs python), and the analyzer's peak
 * RSS. /proc/PID/stat is gone once the tool exits, so instead this wrapper
 * waits for the command and reads getrusage(RUSAGE_CHILDREN), which sums
 * every descendant that was waited for. SIGINT and SIGTERM sent to the
 * wrapper are forwarded to the command (the way Ctrl-C stops a tracer), and
 * the wrapper itself keeps running until the command has exited.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child = -1;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = forward };
	struct timespec t0, t1;
	struct rusage ru;
	int status = 0;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: rusage_exec OUT.json CMD [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	child = fork();
	if (child < 0) {
		perror("rusage_exec: fork");
		return 1;
	}
	if (child == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "rusage_exec: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_CHILDREN, &ru);

	out = fopen(argv[1], "w");
	if (!out) {
		perror("rusage_exec: output");
		return 1;
	}
	fprintf(out, "{\"exit\":%d,\"signal\":%d,\"user_s\":%.6f,\"sys_s\":%.6f,"
		"\"maxrss_kb\":%ld,\"wall_s\":%.6f}\n",
		WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		WIFSIGNALED(status) ? WTERMSIG(status) : 0,
		seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fclose(out);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
