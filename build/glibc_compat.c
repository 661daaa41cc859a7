/* Linked into portable builds (DUCKALOG_PORTABLE=1), which are compiled
 * against glibc 2.31 and must run on glibc 2.28. Only these symbols need a
 * newer glibc there:
 * - libm 2.29 gave exp, exp2, log, log2 and pow new versions: the linker
 *   sends every call to them here (--wrap), and these call the older
 *   versions, which every glibc has.
 * - glibc 2.30 added waits on a chosen clock, which libstdc++'s headers
 *   use for steady_clock deadlines: a definition here wins over libc's, and
 *   turns the deadline into a CLOCK_REALTIME one for the timed wait that
 *   older glibc has (what libstdc++ itself does on older glibc).
 * - gettid, also new in 2.30, which Rust's standard library asks for. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define OLD_MATH(name, ...)                                                  \
    double name##_compat(__VA_ARGS__);                                       \
    __asm__(".symver " #name "_compat," #name "@GLIBC_2.2.5");

OLD_MATH(exp, double)
OLD_MATH(exp2, double)
OLD_MATH(log, double)
OLD_MATH(log2, double)
OLD_MATH(pow, double, double)

double __wrap_exp(double x) { return exp_compat(x); }
double __wrap_exp2(double x) { return exp2_compat(x); }
double __wrap_log(double x) { return log_compat(x); }
double __wrap_log2(double x) { return log2_compat(x); }
double __wrap_pow(double x, double y) { return pow_compat(x, y); }

/* The CLOCK_REALTIME time at which `clock` reads `deadline`; 0 or EINVAL. */
static int realtime(clockid_t clock, const struct timespec *deadline,
                    struct timespec *out) {
    struct timespec now, real;
    if (clock == CLOCK_REALTIME) {
        *out = *deadline;
        return 0;
    }
    if (clock != CLOCK_MONOTONIC) return EINVAL;
    clock_gettime(CLOCK_MONOTONIC, &now);
    clock_gettime(CLOCK_REALTIME, &real);
    long long ns = (long long)(deadline->tv_sec - now.tv_sec) * 1000000000LL +
                   (deadline->tv_nsec - now.tv_nsec) + real.tv_nsec;
    long long sec = real.tv_sec + ns / 1000000000LL;
    ns %= 1000000000LL;
    if (ns < 0) {
        ns += 1000000000LL;
        sec -= 1;
    }
    out->tv_sec = sec;
    out->tv_nsec = ns;
    return 0;
}

int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock,
                           const struct timespec *deadline) {
    struct timespec at;
    int err = realtime(clock, deadline, &at);
    return err ? err : pthread_cond_timedwait(c, m, &at);
}

int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock,
                            const struct timespec *deadline) {
    struct timespec at;
    int err = realtime(clock, deadline, &at);
    return err ? err : pthread_mutex_timedlock(m, &at);
}

int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
                               const struct timespec *deadline) {
    struct timespec at;
    int err = realtime(clock, deadline, &at);
    return err ? err : pthread_rwlock_timedrdlock(l, &at);
}

int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
                               const struct timespec *deadline) {
    struct timespec at;
    int err = realtime(clock, deadline, &at);
    return err ? err : pthread_rwlock_timedwrlock(l, &at);
}

int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *deadline) {
    struct timespec at;
    int err = realtime(clock, deadline, &at);
    if (err) {
        errno = err;
        return -1;
    }
    return sem_timedwait(s, &at);
}

pid_t gettid(void) { return (pid_t)syscall(SYS_gettid); }
