/* common/net.h — socket addresses from numeric hosts, shared by the mock's listeners and the scenario
 * runner's checks. */
#ifndef CM_NET_H
#define CM_NET_H

#include <stdint.h>
#include <sys/socket.h>

/* Fills ss with host (a numeric IPv4 or IPv6 address, no brackets) and port. Returns the address length, or 0
 * when host is not a numeric address. */
socklen_t cm_numeric_addr(const char *host, uint16_t port, struct sockaddr_storage *ss);

#endif
