/* mock-provider/h2shim/khash.h — a stand-in for klib's khash.h, which h2o 2.2.5's <h2o/http2_internal.h>
 * includes but Debian's libh2o-evloop-dev does not install. Only h2goaway.c sees it (an include path of that
 * one file, mock-provider/CMakeLists.txt). It declares just what that header's declarations need: the
 * stream table's type by name (the mock only ever holds a pointer to it) and the three lookup macros of the
 * header's one inline function, h2o_http2_conn_get_stream, which the mock never calls. The layout of
 * h2o_http2_conn_t itself comes from the installed header, so it matches the library. */
#ifndef MP_H2SHIM_KHASH_H
#define MP_H2SHIM_KHASH_H

typedef unsigned int khiter_t;

#define KHASH_MAP_INIT_INT64(name, khval_t) typedef struct kh_##name##_s kh_##name##_t;
#define khash_t(name) kh_##name##_t
/* A lookup that never finds: h2o_http2_conn_get_stream compiled with these returns NULL. */
#define kh_get(name, h, key) ((void)(h), (void)(key), (khiter_t)0)
#define kh_end(h) ((void)(h), (khiter_t)0)
#define kh_val(h, x) ((void)(h), (void)(x), NULL)

#endif
