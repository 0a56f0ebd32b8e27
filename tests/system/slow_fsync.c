// LD_PRELOAD shim for system tests: a slow disk (an SD card busy with a checkpoint, a dying
// disk). fsync and fdatasync on a file or folder whose path contains a substring listed in the
// file named by $BESSD_TEST_SLOW_FSYNC sleep for the given time first. That file is read at
// each call ("<substring> <delay ms>" per line), so a test slows a path down and speeds it up
// again while bessd runs. A negative delay fails the call with EIO after |delay| ms (a disk
// that reports an I/O error).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

// 0: go on with the real call; -1: fail it with EIO.
static int slow_fsync_wait(int fd) {
  const char* ctl = getenv("BESSD_TEST_SLOW_FSYNC");
  if (!ctl) return 0;
  char link[64];
  char path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = 0;
  FILE* f = fopen(ctl, "re");
  if (!f) return 0;
  char sub[1024];
  long ms = 0;
  long delay_ms = 0;
  while (fscanf(f, "%1023s %ld", sub, &ms) == 2)
    if (strstr(path, sub)) delay_ms = ms;
  fclose(f);
  const long wait_ms = delay_ms < 0 ? -delay_ms : delay_ms;
  if (wait_ms > 0) {
    const struct timespec ts = {wait_ms / 1000, (wait_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  if (delay_ms < 0) {
    errno = EIO;
    return -1;
  }
  return 0;
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  if (slow_fsync_wait(fd) != 0) return -1;
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  if (slow_fsync_wait(fd) != 0) return -1;
  return real(fd);
}
