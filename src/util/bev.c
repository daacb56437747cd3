/* bev.c - a bufferevent's queued output written out without the event loop. */
#include "util/bev.h"

#include <event2/buffer.h>
#include <sys/socket.h>

bool kumo__bev_flush_now(struct bufferevent *bev, bool shut)
{
    struct evbuffer *out = bufferevent_get_output(bev);
    evutil_socket_t fd = bufferevent_getfd(bev);
    while (evbuffer_get_length(out) > 0 && evbuffer_write(out, fd) > 0)
        ;
    bool all = evbuffer_get_length(out) == 0;
    if (all && shut)
        shutdown(fd, SHUT_WR);
    return all;
}
