/* bev.h - a bufferevent's queued output written out without the event loop. */
#ifndef KUMO_BEV_H
#define KUMO_BEV_H

#include "kumo-int.h"
#include <event2/bufferevent.h>

/*
 * Write what bev has queued to its socket now, for a loop that will not turn again (the
 * crawl it served is over): as much as the socket takes without waiting.  With shut, the
 * sending side of the socket is then shut down when all of it went, so that a client
 * reading to the end of the connection sees its end.  Returns whether all of it went.
 */
bool kumo__bev_flush_now(struct bufferevent *bev, bool shut);

#endif
