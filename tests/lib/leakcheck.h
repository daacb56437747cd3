/* leakcheck.h - the one teardown check of the tests: nothing tracked alive, no kumo heap
 * block left compared with the start of the test. */
#ifndef KUMO_LEAKCHECK_H
#define KUMO_LEAKCHECK_H

/*
 * Remember the kumo heap's live blocks, per (type, via) tag.  Call it as a suite's .init, or
 * last in a .init that first sets up what the whole test process keeps (a console namespace,
 * a registry filled once): blocks allocated before it are not counted as leaks.
 */
void kumo_leakcheck_start(void);

/*
 * The .fini: asserts that no tracked object is alive (kumo_ref_total() is 0) and that the
 * heap holds no more blocks than at kumo_leakcheck_start().  On failure it prints the live
 * references and the (type, via) tags that grew before failing the test.  Classes interned
 * by the test and no longer alive are freed first (kumo_class_cleanup()), as a process does
 * at exit.  Without a kumo_leakcheck_start() in the process it checks against an empty heap.
 */
void kumo_leakcheck_end(void);

/*
 * The weaker .fini, for a file whose code under test keeps heap blocks on purpose until the
 * process exits (say why at the call): asserts only that no tracked object is alive.
 */
void kumo_leakcheck_refs(void);

/* Both ends as a suite's options: TestSuite(name, KUMO_LEAKCHECK, .timeout = 30). */
#define KUMO_LEAKCHECK .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end

#endif
