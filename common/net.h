/* common/net.h — socket addresses from numeric hosts, shared by the mock's listeners and the scenario
 * runner's checks. */
#ifndef CM_NET_H
#define CM_NET_H

#include <stdint.h>
#include <sys/socket.h>

/* Fills ss with host (a numeric IPv4 or IPv6 address, no brackets) and port. Returns the address length, or 0
 * when host is not a numeric address. */
socklen_t cm_numeric_addr(const char *host, uint16_t port, struct sockaddr_storage *ss);

/* The offset of the first byte of token that cannot be sent in "Authorization: Bearer TOKEN" (a space, which
 * would end it, or a control character), or -1 when there is none. The admin APIs refuse such a token at
 * start: nobody could ever authenticate with it. */
long cm_bearer_token_bad(const char *token);

#endif
