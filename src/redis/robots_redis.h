/* robots_redis.h - robots.txt fetched once per origin for every worker of a Redis frontier:
 * the first worker to need it takes a short lock in Redis, fetches it and stores its status
 * and body there (with a TTL); the others wait for it on the loop, or fetch it themselves
 * once the lock expired.  Set into the RobotsTxt middleware through its share hook. */
#ifndef KUMO_REDIS_ROBOTS_REDIS_H
#define KUMO_REDIS_ROBOTS_REDIS_H

#include "kumo-int.h"
#include "redis/client.h"

#define KUMO_REDIS_ROBOTS_TTL 86400.0   /* seconds a stored robots.txt is shared */
#define KUMO_REDIS_ROBOTS_POLL 0.1      /* seconds between asks while another fetches */

typedef struct kumo_redis_robots kumo_redis_robots;

/*
 * Share c's robots.txt downloads through conn (borrowed, must outlive the result) under
 * the keys PREFIX:robots:URL, as worker.  Returns a new handle (free it with
 * kumo__redis_robots_detach() before conn).
 */
kumo_redis_robots *kumo__redis_robots_attach(kumo_crawler *c, kumo_redis_conn *conn,
                                             const char *prefix, const char *worker);

/* Stop sharing: downloads waiting for another worker end KUMO_ECANCELED.  r may be NULL. */
void kumo__redis_robots_detach(kumo_redis_robots *r);

#endif
