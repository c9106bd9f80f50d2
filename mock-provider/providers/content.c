/* Exchange planning (ids, lengths, finish reasons) and token production for every provider. */
#include "mock-provider/providers/content.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "mock-provider/providers/render.h"
#include "mock-provider/providers/stop.h"

/* Our own pool of plain English words: pasting them into JSON needs no escaping, and 256 entries let one
 * byte of a hash pick a word. Lengths are compile-time constants, so the table needs no initialisation. */
typedef struct pool_word {
    const char *s;
    uint8_t len;
} pool_word_t;

#define W(w)                                                                                                           \
    {                                                                                                                  \
        (w), sizeof(w) - 1                                                                                             \
    }
static const pool_word_t pool[256] = {
    W("time"),       W("year"),       W("people"),      W("way"),          W("day"),          W("man"),
    W("thing"),      W("woman"),      W("life"),        W("child"),        W("world"),        W("school"),
    W("state"),      W("family"),     W("student"),     W("group"),        W("country"),      W("problem"),
    W("hand"),       W("part"),       W("place"),       W("case"),         W("week"),         W("company"),
    W("system"),     W("program"),    W("question"),    W("work"),         W("government"),   W("number"),
    W("night"),      W("point"),      W("home"),        W("water"),        W("room"),         W("mother"),
    W("area"),       W("money"),      W("story"),       W("fact"),         W("month"),        W("lot"),
    W("right"),      W("study"),      W("book"),        W("eye"),          W("job"),          W("word"),
    W("business"),   W("issue"),      W("side"),        W("kind"),         W("head"),         W("house"),
    W("service"),    W("friend"),     W("father"),      W("power"),        W("hour"),         W("game"),
    W("line"),       W("end"),        W("member"),      W("law"),          W("car"),          W("city"),
    W("community"),  W("name"),       W("president"),   W("team"),         W("minute"),       W("idea"),
    W("kid"),        W("body"),       W("information"), W("back"),         W("parent"),       W("face"),
    W("others"),     W("level"),      W("office"),      W("door"),         W("health"),       W("person"),
    W("art"),        W("war"),        W("history"),     W("party"),        W("result"),       W("change"),
    W("morning"),    W("reason"),     W("research"),    W("girl"),         W("guy"),          W("moment"),
    W("air"),        W("teacher"),    W("force"),       W("education"),    W("foot"),         W("boy"),
    W("age"),        W("policy"),     W("music"),       W("market"),       W("sense"),        W("nation"),
    W("plan"),       W("college"),    W("interest"),    W("death"),        W("experience"),   W("effect"),
    W("class"),      W("control"),    W("care"),        W("field"),        W("development"),  W("role"),
    W("effort"),     W("rate"),       W("heart"),       W("drug"),         W("show"),         W("leader"),
    W("light"),      W("voice"),      W("wife"),        W("police"),       W("mind"),         W("price"),
    W("report"),     W("decision"),   W("son"),         W("view"),         W("relationship"), W("town"),
    W("road"),       W("arm"),        W("difference"),  W("value"),        W("building"),     W("action"),
    W("model"),      W("season"),     W("society"),     W("tax"),          W("director"),     W("position"),
    W("player"),     W("record"),     W("paper"),       W("space"),        W("ground"),       W("form"),
    W("event"),      W("official"),   W("matter"),      W("center"),       W("couple"),       W("site"),
    W("project"),    W("activity"),   W("star"),        W("table"),        W("need"),         W("court"),
    W("oil"),        W("situation"),  W("cost"),        W("industry"),     W("figure"),       W("street"),
    W("image"),      W("phone"),      W("data"),        W("picture"),      W("practice"),     W("piece"),
    W("land"),       W("product"),    W("doctor"),      W("wall"),         W("patient"),      W("worker"),
    W("news"),       W("test"),       W("movie"),       W("north"),        W("love"),         W("support"),
    W("technology"), W("step"),       W("baby"),        W("computer"),     W("type"),         W("attention"),
    W("film"),       W("tree"),       W("source"),      W("organization"), W("hair"),         W("window"),
    W("evidence"),   W("population"), W("truth"),       W("song"),         W("river"),        W("garden"),
    W("bridge"),     W("cloud"),      W("stone"),       W("forest"),       W("island"),       W("valley"),
    W("ocean"),      W("mountain"),   W("winter"),      W("summer"),       W("spring"),       W("autumn"),
    W("letter"),     W("signal"),     W("engine"),      W("network"),      W("bright"),       W("quiet"),
    W("simple"),     W("early"),      W("small"),       W("large"),        W("green"),        W("blue"),
    W("careful"),    W("gentle"),     W("quick"),       W("slow"),         W("clear"),        W("open"),
    W("strong"),     W("warm"),       W("cold"),        W("fresh"),        W("happy"),        W("ready"),
    W("steady"),     W("better"),     W("common"),      W("little"),       W("great"),        W("local"),
    W("public"),     W("real"),       W("whole"),       W("free"),
};
#undef W

static uint32_t pool_index(uint64_t seed, uint32_t choice, uint32_t index)
{
    return (uint32_t)(mp_mix64(seed ^ ((uint64_t)choice << 40) ^ (uint64_t)index * 0x9e3779b97f4a7c15ULL) & 255);
}

const char *mp_pool_word(uint64_t seed, uint32_t choice, uint32_t index)
{
    return pool[pool_index(seed, choice, index)].s;
}

void mp_content_put_thoughts(const mp_exchange_t *x, uint32_t k, uint32_t n, cm_buf_t *out)
{
    for (uint32_t i = k; i < k + n; i++) {
        if (i > 0)
            cm_buf_putc(out, ' ');
        cm_buf_puts(out, mp_pool_word(x->seed, 1, i));
    }
}

/* End of the echo token that starts at pos: leading spaces, then everything up to the next space. A space is
 * never part of a JSON escape sequence nor of a UTF-8 multi-byte character, so tokens never split either. */
static size_t echo_token_end(cm_str_t s, size_t pos)
{
    while (pos < s.n && s.p[pos] == ' ')
        pos++;
    while (pos < s.n && s.p[pos] != ' ')
        pos++;
    return pos;
}

uint32_t mp_echo_count_tokens(cm_str_t s)
{
    uint32_t n = 0;
    for (size_t pos = 0; pos < s.n && n < MP_MAX_OUTPUT_TOKENS; n++)
        pos = echo_token_end(s, pos);
    return n;
}

/* Length of one character of escaped JSON text at p: a whole escape sequence or a whole UTF-8 character. */
static size_t char_len(const char *p, size_t left)
{
    size_t n = 1;
    unsigned char c = (unsigned char)p[0];
    if (c == '\\')
        n = left > 1 && p[1] == 'u' ? 6 : 2;
    else if (c >= 0xf0)
        n = 4;
    else if (c >= 0xe0)
        n = 3;
    else if (c >= 0xc0)
        n = 2;
    return n < left ? n : left;
}

#define TOOL_PIECE_CHARS 4

static size_t piece_end(cm_str_t s, size_t pos)
{
    for (int i = 0; i < TOOL_PIECE_CHARS && pos < s.n; i++)
        pos += char_len(s.p + pos, s.n - pos);
    return pos;
}

uint32_t mp_tool_count_pieces(cm_str_t escaped)
{
    uint32_t n = 0;
    for (size_t pos = 0; pos < escaped.n; n++)
        pos = piece_end(escaped, pos);
    return n ? n : 1;
}

static bool use_echo(const mp_exchange_t *x)
{
    return x->dep->content == MP_CONTENT_ECHO && x->req->echo.n > 0;
}

static cm_str_t next_word(mp_exchange_t *x, uint32_t c)
{
    cm_buf_t *t = &x->text[c];
    uint32_t w = pool_index(x->seed, c, x->cursor[c]);
    size_t len = pool[w].len, sp = x->cursor[c] > 0;
    cm_buf_reserve(t, len + 1);
    char *o = t->data + t->len;
    o[0] = ' ';
    memcpy(o + sp, pool[w].s, len);
    t->len += len + sp;
    t->data[t->len] = '\0';
    return (cm_str_t){o, len + sp};
}

static cm_str_t next_echo(mp_exchange_t *x, uint32_t c)
{
    cm_str_t e = x->req->echo;
    size_t from = x->echo_pos[c], to = echo_token_end(e, from);
    cm_buf_t *t = &x->text[c];
    size_t off = t->len;
    cm_buf_append(t, e.p + from, to - from);
    x->echo_pos[c] = to;
    return (cm_str_t){t->data + off, to - from};
}

/* A tool call's escaped arguments are in text[c] from the start; echo_pos walks through them. */
uint32_t mp_tool_call_at(const mp_exchange_t *x, uint32_t c, size_t pos)
{
    uint32_t i = 0;
    while (i + 1 < x->calls[c] && pos >= x->call_end[c * MP_MAX_PARALLEL_CALLS + i])
        i++;
    return i;
}

cm_str_t mp_tool_call_args(const mp_exchange_t *x, uint32_t c, uint32_t i)
{
    const size_t *end = &x->call_end[c * MP_MAX_PARALLEL_CALLS];
    size_t from = i == 0 ? 0 : end[i - 1];
    return (cm_str_t){x->text[c].data + from, end[i] - from};
}

/* Pieces never cross from one call's arguments into the next's. */
static cm_str_t next_piece(mp_exchange_t *x, uint32_t c)
{
    cm_str_t all = {x->text[c].data, x->text[c].len};
    size_t from = x->echo_pos[c], end = all.n;
    if (x->finish[c] == MP_FINISH_TOOL_CALLS)
        end = x->call_end[c * MP_MAX_PARALLEL_CALLS + mp_tool_call_at(x, c, from)];
    size_t to = x->cursor[c] + 1 >= x->tokens[c] ? all.n : piece_end(all, from);
    if (to > end)
        to = end;
    x->echo_pos[c] = to;
    return (cm_str_t){all.p + from, to - from};
}

static cm_str_t next_token(mp_exchange_t *x, uint32_t c, bool pieces)
{
    cm_str_t s = pieces ? next_piece(x, c) : use_echo(x) ? next_echo(x, c) : next_word(x, c);
    x->cursor[c]++;
    return s;
}

/* Several tokens in one chunk are consecutive in text[c] (appended, or walked through by echo_pos), so the
 * chunk is one slice from where the first began. A tool call's chunk stops at the end of its call: the next
 * call is announced in a chunk of its own. */
cm_str_t mp_content_next(mp_exchange_t *x, uint32_t c)
{
    if (c >= x->n || x->cursor[c] >= x->tokens[c])
        return (cm_str_t){"", 0};
    bool pieces = x->finish[c] == MP_FINISH_TOOL_CALLS || x->structured;
    bool tool = x->finish[c] == MP_FINISH_TOOL_CALLS;
    size_t start = pieces ? x->echo_pos[c] : x->text[c].len, len = 0;
    uint32_t want = x->chunk > 1 ? x->chunk : 1;
    size_t call_end = tool ? x->call_end[c * MP_MAX_PARALLEL_CALLS + mp_tool_call_at(x, c, start)] : SIZE_MAX;
    for (uint32_t i = 0; i < want && x->cursor[c] < x->tokens[c]; i++) {
        if (i > 0 && tool && x->echo_pos[c] >= call_end && x->cursor[c] + 1 < x->tokens[c])
            break;
        len += next_token(x, c, pieces).n;
    }
    if (!pieces && x->cut != NULL && x->text[c].len > x->cut[c]) {
        /* The last token ends inside a stop sequence: only the text before it is said. */
        len -= x->text[c].len - x->cut[c];
        x->text[c].len = x->cut[c];
        x->text[c].data[x->cut[c]] = '\0';
    }
    return (cm_str_t){x->text[c].data + start, len};
}

size_t mp_content_token_end(const mp_exchange_t *x, cm_str_t text, size_t pos)
{
    /* Pool words and echo tokens are both a run of spaces and the non-spaces after it. */
    return x->structured ? piece_end(text, pos) : echo_token_end(text, pos);
}

void mp_content_fill(mp_exchange_t *x, uint32_t c)
{
    while (c < x->n && x->cursor[c] < x->tokens[c])
        mp_content_next(x, c);
}

uint32_t mp_content_stop(const mp_exchange_t *x, uint32_t c)
{
    if (x->stopped == NULL || c >= x->n || x->stopped[c] == 0 || x->text[c].len != x->cut[c])
        return 0;
    return x->stopped[c];
}

void mp_tool_call_id(const mp_exchange_t *x, uint32_t c, uint32_t i, char *out, size_t cap)
{
    mp_id_base62_from(out, cap, "call_", 24, x->id_key ^ mp_mix64(0x7001ca11u + c * MP_MAX_PARALLEL_CALLS + i));
}

void mp_system_fingerprint(const mp_deployment_t *dep, char *out, size_t cap)
{
    /* Seed and index only (no hashing of the name): it is rendered in every stream chunk. */
    uint64_t h = mp_mix64(dep->seed ^ ((uint64_t)dep->index << 48) ^ 0xf19e5a17u);
    static const char hex[] = "0123456789abcdef";
    char tmp[14] = "fp_";
    for (int i = 0; i < 10; i++)
        tmp[3 + i] = hex[(h >> (4 * i)) & 15];
    tmp[13] = '\0';
    size_t n = cap > sizeof(tmp) ? sizeof(tmp) : cap;
    if (n == 0)
        return;
    memcpy(out, tmp, n - 1);
    out[n - 1] = '\0';
}

/* ---- planning ------------------------------------------------------------------------------------- */

/* A drawn or bounding length as a token count: rounded, at least 1, at most MP_MAX_OUTPUT_TOKENS. */
static uint32_t token_count(double v)
{
    if (!(v >= 1.0)) /* also NaN */
        return 1;
    return v >= MP_MAX_OUTPUT_TOKENS ? MP_MAX_OUTPUT_TOKENS : (uint32_t)(v + 0.5);
}

uint32_t mp_output_tokens_cap(const cm_dist_t *d)
{
    double hi = MP_MAX_OUTPUT_TOKENS;
    switch (d->kind) {
    case CM_DIST_FIXED:
        hi = d->a;
        break;
    case CM_DIST_UNIFORM:
        hi = d->a > d->b ? d->a : d->b;
        break;
    case CM_DIST_NORMAL:
        hi = d->a + 6.0 * d->b;
        break;
    case CM_DIST_LOGNORMAL:
        hi = d->a * exp(6.0 * d->b);
        break;
    case CM_DIST_PERCENTILES:
        hi = d->npoints > 0 ? d->points[d->npoints - 1].v : 1.0;
        break;
    }
    return token_count(hi);
}

/* tool_auto 0 with tool_calls on is a deployment built in code with the bool alone: always. */
static double auto_probability(const mp_deployment_t *dep)
{
    return dep->tool_auto > 0 ? dep->tool_auto : dep->tool_calls ? 1.0 : 0.0;
}

bool mp_wants_tool_call(const mp_deployment_t *dep, const mp_request_t *req)
{
    if (!req->tools || req->tool_arguments == NULL)
        return false;
    return req->tool_forced || (!req->after_tool_result && auto_probability(dep) > 0);
}

bool mp_decide_tool_call(const mp_deployment_t *dep, const mp_request_t *req, cm_rng_t *rng)
{
    if (!mp_wants_tool_call(dep, req))
        return false;
    double p = auto_probability(dep);
    return req->tool_forced || p >= 1.0 || cm_rng_uniform(rng) < p;
}

uint32_t mp_embedding_dims(const mp_deployment_t *dep, const mp_request_t *req)
{
    if (req->dimensions != 0)
        return req->dimensions;
    return mp_embedding_default_dims(req->model, dep->embedding_dimensions ? dep->embedding_dimensions : 1536);
}

/* A draw of the deployment's length model, within its cap. */
static uint32_t draw_length(const mp_deployment_t *dep, cm_rng_t *rng)
{
    uint32_t len = token_count(cm_dist_sample(&dep->output_tokens, rng));
    uint32_t cap = mp_output_tokens_cap(&dep->output_tokens);
    return len > cap ? cap : len;
}

/* Token i of choice c as the scan for stop sequences reads it: the same bytes next_word and next_echo give. */
typedef struct stop_source {
    const mp_exchange_t *x;
    uint32_t c;
    size_t echo_pos; /* where token `next` of an echo begins */
    uint32_t next;
    char word[16]; /* a pool word with its leading space */
} stop_source_t;

static cm_str_t stop_token(void *ctx, uint32_t i)
{
    stop_source_t *s = ctx;
    const mp_exchange_t *x = s->x;
    if (!use_echo(x)) {
        const pool_word_t *w = &pool[pool_index(x->seed, s->c, i)];
        size_t sp = i > 0;
        s->word[0] = ' ';
        memcpy(s->word + sp, w->s, w->len);
        return (cm_str_t){s->word, w->len + sp};
    }
    if (i < s->next) /* the second pass starts over */
        s->echo_pos = 0, s->next = 0;
    size_t from = s->echo_pos, to = echo_token_end(x->req->echo, from);
    s->echo_pos = to;
    s->next = i + 1;
    return (cm_str_t){x->req->echo.p + from, to - from};
}

/* The answer ends right before the first stop sequence its planned tokens would say (finish "stop", whatever
 * max_tokens allowed): its tokens are those with text before the cut. */
static uint32_t plan_stop(mp_exchange_t *x, uint32_t c, mp_stop_matcher_t *stops, uint32_t len)
{
    stop_source_t src = {.x = x, .c = c};
    mp_stop_hit_t hit;
    x->cut[c] = SIZE_MAX;
    if (!mp_stop_find(stops, stop_token, &src, len, &hit))
        return len;
    x->cut[c] = hit.cut;
    x->stopped[c] = (uint8_t)(hit.which + 1);
    x->finish[c] = MP_FINISH_STOP;
    return hit.tokens;
}

static void plan_text(mp_exchange_t *x, uint32_t c, uint32_t echo_tokens, mp_stop_matcher_t *stops, cm_rng_t *rng)
{
    uint32_t len = draw_length(x->dep, rng);
    if (echo_tokens > 0 && echo_tokens < len)
        len = echo_tokens;
    x->finish[c] = MP_FINISH_STOP;
    if (x->req->max_tokens >= 0 && (int64_t)len > x->req->max_tokens) {
        len = (uint32_t)x->req->max_tokens;
        x->finish[c] = MP_FINISH_LENGTH;
    }
    if (stops != NULL)
        len = plan_stop(x, c, stops, len);
    x->tokens[c] = len;
    cm_buf_reserve(&x->text[c], (size_t)len * 8);
}

/* One call, or with tool_calls: {parallel: N} and a request that allows it, 1 to N calls (seeded) of the
 * prepared functions: parse prepares several only where the shape has parallel calls (chat, Responses, Gemini,
 * Anthropic messages). Their escaped arguments follow each other in text[c]. */
static void plan_tool(mp_exchange_t *x, uint32_t c, cm_rng_t *rng)
{
    const mp_request_t *r = x->req;
    uint32_t most = r->ncalls > 0 ? r->ncalls : 1;
    if (most > x->dep->tool_parallel)
        most = x->dep->tool_parallel;
    uint32_t k = most > 1 ? 1 + (uint32_t)(cm_rng_next(rng) % most) : 1;
    x->calls[c] = (uint8_t)k;
    x->tokens[c] = 0;
    for (uint32_t i = 0; i < k; i++) {
        const char *args = i == 0 ? r->tool_arguments : r->call_args[i];
        size_t from = x->text[c].len;
        cm_json_escape_body(&x->text[c], args, strlen(args));
        x->tokens[c] += mp_tool_count_pieces((cm_str_t){x->text[c].data + from, x->text[c].len - from});
        x->call_end[c * MP_MAX_PARALLEL_CALLS + i] = x->text[c].len;
    }
    x->finish[c] = MP_FINISH_TOOL_CALLS;
}

/* Structured output: the JSON is all there from the start, like a tool call's arguments, and streams in the
 * same pieces; max_tokens cuts it at a piece boundary (finish "length", an unfinished JSON text, as the real
 * API does). */
static void plan_structured(mp_exchange_t *x, uint32_t c)
{
    const char *json = x->req->structured;
    cm_json_escape_body(&x->text[c], json, strlen(json));
    cm_str_t all = {x->text[c].data, x->text[c].len};
    x->tokens[c] = mp_tool_count_pieces(all);
    x->finish[c] = MP_FINISH_STOP;
    if (x->req->max_tokens >= 0 && (int64_t)x->tokens[c] > x->req->max_tokens) {
        size_t end = 0;
        for (int64_t i = 0; i < x->req->max_tokens; i++)
            end = piece_end(all, end);
        x->text[c].len = end;
        x->text[c].data[end] = '\0';
        x->tokens[c] = (uint32_t)x->req->max_tokens;
        x->finish[c] = MP_FINISH_LENGTH;
    }
}

static void *alloc_zero(const cm_allocator_t *a, size_t n)
{
    void *p = cm_alloc(a, n);
    memset(p, 0, n);
    return p;
}

uint32_t mp_plan_reasoning(mp_exchange_t *x, uint32_t most, cm_rng_t *rng)
{
    if (x->n != 1)
        return 0;
    if (x->finish[0] != MP_FINISH_TOOL_CALLS && !x->structured) {
        uint32_t r = x->tokens[0] / 2 < most ? x->tokens[0] / 2 : most;
        x->tokens[0] -= r;
        return r;
    }
    /* The draw happens whatever the limits leave, so that max_tokens does not change what follows from rng. */
    uint32_t r = draw_length(x->dep, rng) / 2;
    if (r > most)
        r = most;
    if (x->req->max_tokens >= 0) {
        int64_t left = x->req->max_tokens - (int64_t)x->tokens[0];
        if (left < (int64_t)r)
            r = left > 0 ? (uint32_t)left : 0;
    }
    x->steps += r;
    x->completion_tokens = x->completion_tokens > UINT32_MAX - r ? UINT32_MAX : x->completion_tokens + r;
    return r;
}

uint64_t mp_reasoning_tokens_bound(const mp_deployment_t *dep, const mp_request_t *req)
{
    uint64_t tokens = mp_output_tokens_cap(&dep->output_tokens);
    if (req->max_tokens >= 0 && (uint64_t)req->max_tokens < tokens)
        tokens = (uint64_t)req->max_tokens;
    return tokens / 2;
}

void mp_exchange_begin(mp_exchange_t *x, const mp_deployment_t *dep, const mp_request_t *req, cm_rng_t *rng,
                       const cm_allocator_t *a)
{
    memset(x, 0, sizeof(*x));
    x->dep = dep;
    x->ops = dep->ops ? dep->ops : mp_provider_for(dep->provider);
    x->req = req;
    x->created = (int64_t)time(NULL);
    x->seed = cm_rng_next(rng);
    bool tool = mp_decide_tool_call(dep, req, rng);
    /* Ids come from a key unique to this exchange and process, not from the seeded generator: two runs with
     * one seed give the same content under different ids, as a real provider would. */
    x->id_key = mp_unique_key();
    if (x->ops->make_ids != NULL)
        x->ops->make_ids(x, tool);
    if (mp_api_timing(req->api) != MP_TIMING_TOKENS)
        return; /* embeddings, listings and counts produce no tokens */
    uint32_t n = req->n == 0 ? 1 : req->n > MP_MAX_CHOICES ? MP_MAX_CHOICES : req->n;
    if (req->api == MP_API_RESPONSES)
        n = 1;
    x->n = n;
    x->tokens = alloc_zero(a, n * sizeof(*x->tokens));
    x->finish = alloc_zero(a, n * sizeof(*x->finish));
    x->cursor = alloc_zero(a, n * sizeof(*x->cursor));
    x->echo_pos = alloc_zero(a, n * sizeof(*x->echo_pos));
    x->text = alloc_zero(a, n * sizeof(*x->text));
    x->calls = alloc_zero(a, n * sizeof(*x->calls));
    x->call_end = alloc_zero(a, (size_t)n * MP_MAX_PARALLEL_CALLS * sizeof(*x->call_end));
    x->structured = !tool && req->structured != NULL;
    uint32_t echo_tokens = use_echo(x) ? mp_echo_count_tokens(req->echo) : 0;
    mp_stop_matcher_t *stops = NULL;
    if (!tool && !x->structured) {
        /* No answer is longer than its echo, or than the longest length of pool words (13 bytes with a space). */
        size_t most = use_echo(x) ? req->echo.n : (size_t)mp_output_tokens_cap(&dep->output_tokens) * 13;
        stops = mp_stop_prepare(req, most, a);
    }
    if (stops != NULL) {
        x->cut = alloc_zero(a, n * sizeof(*x->cut));
        x->stopped = alloc_zero(a, n * sizeof(*x->stopped));
    }
    uint64_t total = 0;
    for (uint32_t c = 0; c < n; c++) {
        if (tool)
            plan_tool(x, c, rng);
        else if (x->structured)
            plan_structured(x, c);
        else
            plan_text(x, c, echo_tokens, stops, rng);
        total += x->tokens[c];
        if (x->tokens[c] > x->steps)
            x->steps = x->tokens[c];
    }
    x->completion_tokens = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
    if (x->ops->plan != NULL)
        x->ops->plan(x, rng);
}

void mp_exchange_end(mp_exchange_t *x)
{
    for (uint32_t c = 0; x->text != NULL && c < x->n; c++)
        cm_buf_free(&x->text[c]);
}
