// LD_PRELOAD shim for system tests: a slow disk (an SD card busy with a checkpoint, a dying
// disk). fsync and fdatasync on a file or folder whose path contains a substring listed in the
// file named by $BESSD_TEST_SLOW_FSYNC sleep for the given time first. That file is read at
// each call ("<substring> <delay ms>" per line), so a test slows a path down and speeds it up
// again while bessd runs.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void slow_fsync_wait(int fd) {
  const char* ctl = getenv("BESSD_TEST_SLOW_FSYNC");
  if (!ctl) return;
  char link[64];
  char path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return;
  path[n] = 0;
  FILE* f = fopen(ctl, "re");
  if (!f) return;
  char sub[1024];
  long ms = 0;
  long delay_ms = 0;
  while (fscanf(f, "%1023s %ld", sub, &ms) == 2)
    if (strstr(path, sub)) delay_ms = ms;
  fclose(f);
  if (delay_ms > 0) {
    const struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  slow_fsync_wait(fd);
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  slow_fsync_wait(fd);
  return real(fd);
}
