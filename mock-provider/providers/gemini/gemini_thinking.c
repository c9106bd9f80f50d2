/* Gemini's thinking: generationConfig.thinkingConfig ({includeThoughts, thinkingBudget, thinkingLevel}, as
 * python-genai's ThinkingConfig has it) and the thought share of an answer.
 *
 * A one-candidate answer thinks when the request gives a thinkingBudget other than 0 (-1 is dynamic), or a
 * thinkingLevel, or when the deployment reasons (reasoning: true, a 2.5-style model that thinks by default) and
 * the budget is not 0. A text answer thinks with half of its planned tokens, at most the budget; a function call
 * or structured output, whose pieces cannot be shortened, thinks first with half of a draw of the length model,
 * at most the budget and what maxOutputTokens leaves (mp_plan_reasoning). The first T steps are thoughts, timed
 * like answer tokens and counted in usageMetadata.thoughtsTokenCount, not in candidatesTokenCount
 * (totalTokenCount has both), as Google counts them. With includeThoughts the thoughts are sent as parts
 * {"text": "...", "thought": true} before the answer's or the function calls'. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/content.h"
#include "mock-provider/providers/gemini/gemini.h"

enum { T_INCLUDE, T_BUDGET, T_LEVEL, T__N };

static const mp_gm_field_t thinking_fields[] = {
    {"includeThoughts", "include_thoughts", MP_GM_BOOL, T_INCLUDE, NULL},
    {"thinkingBudget", "thinking_budget", MP_GM_INT, T_BUDGET, NULL},
    {"thinkingLevel", "thinking_level", MP_GM_STRING, T_LEVEL, NULL},
};

/* Google's errors here have no field violation in their details. */
static int refuse(mp_gm_ctx_t *c, const char *field, const char *message)
{
    mp_gm_invalid(c, field, "%s", message);
    snprintf(c->err->code, sizeof(c->err->code), "%s", MP_GM_D_NONE);
    return -1;
}

/* thinkingLevel: one of the ThinkingLevel names; THINKING_LEVEL_UNSPECIFIED is the same as none given. */
static int level(mp_gm_ctx_t *c, uint32_t t, bool *given)
{
    static const char *const names[] = {"THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (cm_json_str_eq(&c->d, t, names[i])) {
            *given = i > 0;
            return 0;
        }
    return mp_gm_bad_value(c, "generation_config.thinking_config.thinking_level", "ThinkingConfig.ThinkingLevel", t);
}

static int budget(mp_gm_ctx_t *c, uint32_t t, mp_gm_own_t *own)
{
    int64_t v = 0;
    cm_json_int(&c->d, t, &v); /* an int32, checked by the scan */
    if (v < -1 || v > MP_GM_MAX_THINKING_BUDGET) {
        char message[64];
        snprintf(message, sizeof(message), "The thinking budget (%lld) is invalid.", (long long)v);
        return refuse(c, "generation_config.thinking_config.thinking_budget", message);
    }
    own->budget_set = true;
    own->thinking_budget = (int32_t)v;
    return 0;
}

int mp_gm_thinking_config(mp_gm_ctx_t *c, uint32_t tc)
{
    uint32_t t[T__N];
    if (tc == 0)
        return 0;
    if (mp_gm_scan(c, tc, "generation_config.thinking_config", thinking_fields,
                   sizeof(thinking_fields) / sizeof(thinking_fields[0]), t) != 0)
        return -1;
    mp_gm_own_t *own = mp_gm_own(c);
    if (t[T_LEVEL] != 0 && level(c, t[T_LEVEL], &own->thinking_level) != 0)
        return -1;
    if (t[T_BUDGET] != 0 && budget(c, t[T_BUDGET], own) != 0)
        return -1;
    if (own->budget_set && own->thinking_level)
        return refuse(c, "generation_config.thinking_config",
                      "You can only set only one of thinking budget and thinking level.");
    own->include_thoughts = t[T_INCLUDE] != 0 && cm_json_type(&c->d, t[T_INCLUDE]) == CM_JSON_TRUE;
    if (c->fl->vertex && own->include_thoughts && own->budget_set && own->thinking_budget == 0)
        return refuse(c, "generation_config.thinking_config.include_thoughts",
                      "Unable to submit request because Thinking_config.include_thoughts is only enabled when "
                      "thinking is enabled.. Learn more: "
                      "https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini");
    return 0;
}

/* ---- the answer ------------------------------------------------------------------------------------------ */

static const mp_gm_own_t *own_of(const mp_exchange_t *x)
{
    return x->req->own;
}

bool mp_gm_thinks(const mp_exchange_t *x)
{
    const mp_gm_own_t *o = own_of(x);
    if (x->req->api != MP_API_GENERATE || x->n != 1)
        return false;
    if (o != NULL && o->budget_set)
        return o->thinking_budget != 0;
    return x->dep->reasoning || (o != NULL && o->thinking_level);
}

void mp_gm_plan(mp_exchange_t *x, cm_rng_t *rng)
{
    if (!mp_gm_thinks(x))
        return;
    const mp_gm_own_t *o = own_of(x);
    mp_plan_reasoning(x, o != NULL && o->thinking_budget > 0 ? (uint32_t)o->thinking_budget : UINT32_MAX, rng);
}

uint32_t mp_gm_thought_tokens(const mp_exchange_t *x)
{
    return mp_gm_thinks(x) ? x->steps - x->tokens[0] : 0;
}

bool mp_gm_shows_thoughts(const mp_exchange_t *x)
{
    const mp_gm_own_t *o = own_of(x);
    return o != NULL && o->include_thoughts && mp_gm_thought_tokens(x) > 0;
}
