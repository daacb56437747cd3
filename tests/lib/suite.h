/* suite.h - the fixture of the suites that run against the test server: the leak check
 * around each test, the server started before it and stopped after:
 *     TestSuite(cmd_fetch, KUMO_SERVER_SUITE, .timeout = 60);
 */
#ifndef KUMO_TEST_SUITE_H
#define KUMO_TEST_SUITE_H

#include "lib/server.h"

/* The test's server, between kumo_server_suite_init() and kumo_server_suite_fini(). */
extern kumo_testserver *kumo_test_srv;

void kumo_server_suite_init(void);
void kumo_server_suite_fini(void);
#define KUMO_SERVER_SUITE .init = kumo_server_suite_init, .fini = kumo_server_suite_fini

#endif
