/* Linked into the release addon only (scripts/prebuild/build.sh), so that it
   needs nothing newer than glibc 2.17 although it is compiled against 2.31.
   Each definition below replaces a glibc symbol that the compiler or the
   static libstdc++ would otherwise import with a new version tag; being
   defined here, the reference stays inside the .node, and the version script
   keeps it local. Verified by test/prebuilds.test.ts (the GLIBC_ gate).

   Built without _FILE_OFFSET_BITS=64, so the fcntl called here is the old
   fcntl@GLIBC_2.2.5 (x86-64) / GLIBC_2.17 (arm64). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

/* fcntl64 (GLIBC_2.28): glibc >= 2.28 headers rename fcntl to fcntl64 under
   _FILE_OFFSET_BITS=64, which Node's common.gypi sets (LMDB's file locks). On
   LP64 targets off_t is 64-bit either way, so both are the same call. The
   third argument is an int or a pointer; both travel in one register. */
int fcntl64(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  return fcntl(fd, cmd, arg);
}

/* pthread_cond_clockwait (GLIBC_2.30): libstdc++'s condition_variable uses it
   for waits on steady_clock (native/core/forest/thread_pool.cc's wait_for). Its condition
   variables wait on CLOCK_REALTIME, so a CLOCK_MONOTONIC deadline is moved to
   that clock; a wall-clock jump during the wait can lengthen or shorten it,
   which a periodic monitor tolerates. */
int pthread_cond_clockwait(pthread_cond_t *cond, pthread_mutex_t *mutex, clockid_t clock, const struct timespec *abstime) {
  if (clock == CLOCK_REALTIME) return pthread_cond_timedwait(cond, mutex, abstime);
  if (clock != CLOCK_MONOTONIC) return EINVAL;
  struct timespec mono, real;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_REALTIME, &real);
  long long ns = (long long)(abstime->tv_sec - mono.tv_sec) * 1000000000LL + (abstime->tv_nsec - mono.tv_nsec);
  if (ns < 0) ns = 0;
  ns += real.tv_nsec;
  struct timespec deadline = {real.tv_sec + (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
  return pthread_cond_timedwait(cond, mutex, &deadline);
}

/* __cxa_thread_atexit_impl (GLIBC_2.18): libstdc++ registers the destructors
   of thread_local objects (native/core/search/search.cc's scratch buffers) through
   it. Here a pthread key holds each thread's list and runs it, newest first,
   when the thread exits. Unlike glibc's, it does not run the main thread's
   list at exit(): those buffers are then left to the exiting process.
   Node never unloads an addon, so the destructors stay mapped. */
struct thread_dtor {
  void (*fn)(void *);
  void *obj;
  struct thread_dtor *next;
};
static pthread_key_t dtor_key;
static pthread_once_t dtor_once = PTHREAD_ONCE_INIT;

static void run_thread_dtors(void *head) {
  /* glibc has already cleared the key; a destructor that registers another
     thread_local sets it again, and glibc then calls this once more. */
  for (struct thread_dtor *d = head; d;) {
    struct thread_dtor *next = d->next;
    d->fn(d->obj);
    free(d);
    d = next;
  }
}

static void make_dtor_key(void) { pthread_key_create(&dtor_key, run_thread_dtors); }

int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso_handle) {
  (void)dso_handle;
  pthread_once(&dtor_once, make_dtor_key);
  struct thread_dtor *d = malloc(sizeof *d);
  if (!d) return -1;
  d->fn = fn;
  d->obj = obj;
  d->next = pthread_getspecific(dtor_key);
  if (pthread_setspecific(dtor_key, d) != 0) {
    free(d);
    return -1;
  }
  return 0;
}
