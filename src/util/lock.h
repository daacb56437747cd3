/* lock.h - a mutex taken after a short spin, for locks held a few dozen instructions. */
#ifndef KUMO_LOCK_H
#define KUMO_LOCK_H

#include <pthread.h>

#define KUMO_LOCK_SPINS 200

#if defined(__x86_64__) || defined(__i386__)
#define kumo__cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define kumo__cpu_relax() __asm__ __volatile__("yield")
#else
#define kumo__cpu_relax() ((void)0)
#endif

/*
 * Locks m, trying KUMO_LOCK_SPINS times before sleeping on it: glibc's adaptive mutex, for
 * mutexes that cannot be adaptive (a recursive one) or that are static.  The loop thread and a
 * parse thread take the trackref lists' lock for every request one makes and the other frees:
 * asleep on it, each costs the other a futex wake-up (1,000 of a pg crawl's 3,600 futex calls).
 */
static inline void kumo__lock_spin(pthread_mutex_t *m)
{
    for (int i = 0; i < KUMO_LOCK_SPINS; i++) {
        if (pthread_mutex_trylock(m) == 0)
            return;
        kumo__cpu_relax();
    }
    pthread_mutex_lock(m);
}

#endif
