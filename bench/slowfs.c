// Stands in for a slow disk (an SD card busy with a wear-levelling pass, a dying disk) under
// bessd, for bench/slow_disk.py: loaded with LD_PRELOAD, it delays fsync() and fdatasync() of
// any file whose path contains a substring listed in the file named by $SLOWFS_CTL
// ("<substring> <delay_ms>" per line). The control file is read at every call, so the delay can
// be switched on and off while bessd runs.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long delay_for(int fd) {
  const char* ctl = getenv("SLOWFS_CTL");
  if (ctl == NULL) return 0;
  char proc[64];
  char path[4096];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(proc, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  FILE* f = fopen(ctl, "re");
  if (f == NULL) return 0;
  char pattern[1024];
  long ms = 0;
  long delay = 0;
  while (fscanf(f, "%1023s %ld", pattern, &ms) == 2)
    if (strstr(path, pattern) != NULL) delay = ms;
  fclose(f);
  return delay;
}

static void stall(int fd) {
  const long ms = delay_for(fd);
  if (ms <= 0) return;
  const struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

int fsync(int fd) {
  static int (*next)(int);
  if (next == NULL) next = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  stall(fd);
  return next(fd);
}

int fdatasync(int fd) {
  static int (*next)(int);
  if (next == NULL) next = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  stall(fd);
  return next(fd);
}
