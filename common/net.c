#include "common/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

long cm_bearer_token_bad(const char *token)
{
    for (const unsigned char *p = (const unsigned char *)token; *p != '\0'; p++)
        if (*p <= ' ' || *p == 0x7f)
            return (long)(p - (const unsigned char *)token);
    return -1;
}

socklen_t cm_numeric_addr(const char *host, uint16_t port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        return sizeof(*v4);
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        return sizeof(*v6);
    }
    return 0;
}
