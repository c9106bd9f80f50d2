// The official Anthropic TypeScript SDK (pinned in tests/sdk/package-lock.json) against a mock-provider
// Anthropic deployment: messages.create, the event stream (messages.stream and finalMessage, raw events), a tool
// use loop that ends in text, thinking (and a tool loop that must give the thinking back), count_tokens,
// models.list and retrieve, and the SDK's error classes for Anthropic's 401, 404, 400, 429 and 529 (the last two
// from faults chosen by x-mock-fault). Also the older API
// version (2023-06-01) with x-api-key, as older SDKs and gateways send it.
// Run by tests/integration/anthropic_sdk_test.sh with the deployment's base URL and a second, keyless one.
import Anthropic, {
  AuthenticationError, BadRequestError, InternalServerError, NotFoundError, RateLimitError,
} from '@anthropic-ai/sdk';
import * as sdk from '@anthropic-ai/sdk';

const [baseURL] = process.argv.slice(2);
const client = new Anthropic({ baseURL, apiKey: 'sk-ant-good', maxRetries: 0 });
let failures = 0;
const ok = (cond, what) => { if (!cond) { failures++; console.log('FAIL', what); } else console.log('ok  ', what); };
async function expectError(fn, cls, status, what, check) {
  try { await fn(); ok(false, what + ' (no error)'); }
  catch (e) {
    ok(e instanceof cls && e.status === status && (!check || check(e)),
       `${what}: ${e.constructor.name} ${e.status} ${e.type ?? ''} "${e.message}" ${e.requestID ?? ''}`);
  }
}
const model = 'claude-sonnet-4-5';
const user = (content) => ({ role: 'user', content });

// 1. create: a text block, end_turn, usage, ids
const msg = await client.messages.create({ model, max_tokens: 64, messages: [user('Hello, Claude')] });
ok(msg.type === 'message' && msg.role === 'assistant' && /^msg_01[0-9A-Za-z]{22}$/.test(msg.id), 'message ' + msg.id);
ok(msg.content.length === 1 && msg.content[0].type === 'text' && msg.content[0].text.length > 0, 'text: ' + msg.content[0].text);
ok(msg.stop_reason === 'end_turn' && msg.stop_sequence === null && msg.model === model, 'stop_reason end_turn');
ok(msg.usage.input_tokens > 0 && msg.usage.output_tokens === 6 && msg.usage.cache_read_input_tokens === 0,
   'usage ' + JSON.stringify(msg.usage));
// the request id (header request-id) and the quota headers of a limited deployment, the resets RFC 3339 times
const { data: withId, response: idResponse } = await client.messages.create({ model, max_tokens: 8, messages: [user('Hi')] }).withResponse();
const arl = (k) => idResponse.headers.get('anthropic-ratelimit-' + k);
ok(/^req_011C[0-9A-Za-z]{20}$/.test(withId._request_id ?? '') && withId._request_id === idResponse.headers.get('request-id'), 'request id ' + withId._request_id);
ok(arl('requests-limit') === '10000' && Number(arl('requests-remaining')) < 10000 && arl('tokens-limit') === '5000000' &&
   ['requests-reset', 'tokens-reset'].every((k) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(arl(k) ?? '') && Date.parse(arl(k)) > Date.now() - 2000),
   'anthropic-ratelimit headers ' + [...idResponse.headers].filter(([k]) => k.startsWith('anthropic-ratelimit')).map(([k, v]) => `${k.slice(20)}=${v}`).join(' '));
const short = await client.messages.create({ model, max_tokens: 2, messages: [user('Hi')] });
ok(short.stop_reason === 'max_tokens' && short.usage.output_tokens === 2, 'max_tokens stops the answer');

// 2. the stream helper and the raw events
const stream = client.messages.stream({ model, max_tokens: 64, messages: [user('Stream please')] });
let deltas = '';
stream.on('text', (t) => { deltas += t; });
const final = await stream.finalMessage();
ok(final.content[0].text === deltas && deltas.length > 0 && final.stop_reason === 'end_turn', `stream text "${deltas}"`);
ok(final.usage.output_tokens === 6 && final.usage.input_tokens > 0, 'stream usage ' + JSON.stringify(final.usage));
const raw = await client.messages.create({ model, max_tokens: 64, stream: true, messages: [user('raw')] });
const types = [];
for await (const ev of raw) types.push(ev.type);
ok(types[0] === 'message_start' && types[1] === 'content_block_start' && types.at(-2) === 'message_delta' &&
   types.at(-1) === 'message_stop' && types.filter((t) => t === 'content_block_delta').length === 6,
   'raw events ' + [...new Set(types)].join(','));

// 3. a tool use loop: tool_use with input valid against the schema, then the tool_result answered in text
const tools = [{
  name: 'get_weather', description: 'Weather of a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } }, required: ['city', 'days'] },
}];
const convo = [user('Weather in Paris?')];
const call = await client.messages.create({ model, max_tokens: 256, tools, messages: convo });
const use = call.content.find((b) => b.type === 'tool_use');
ok(call.stop_reason === 'tool_use' && use && /^toolu_01/.test(use.id) && use.name === 'get_weather' &&
   typeof use.input.city === 'string' && Number.isInteger(use.input.days) && use.input.days >= 1 && use.input.days <= 7,
   'tool_use ' + JSON.stringify(use));
convo.push({ role: 'assistant', content: call.content });
convo.push(user([{ type: 'tool_result', tool_use_id: use.id, content: '18 C, sunny' }]));
const answer = await client.messages.create({ model, max_tokens: 256, tools, messages: convo });
ok(answer.stop_reason === 'end_turn' && answer.content[0].type === 'text', 'the loop ends in text');
const streamedCall = await client.messages.stream({ model, max_tokens: 256, tools, tool_choice: { type: 'any' },
  messages: [user('Weather?')] }).finalMessage();
const su = streamedCall.content[0];
ok(su.type === 'tool_use' && typeof su.input.city === 'string', 'streamed input_json_delta ' + JSON.stringify(su.input));
await expectError(() => client.messages.create({ model, max_tokens: 64, tools, messages: [user('x'),
  { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01x', name: 'get_weather', input: {} }] }, user('no result')] }),
  BadRequestError, 400, 'a tool_use without its tool_result', (e) => /tool_result/.test(e.message));

// 4. thinking: a thinking block with a signature before the text, in the body and in the stream
const think = { type: 'enabled', budget_tokens: 1024 };
const thought = await client.messages.create({ model, max_tokens: 2048, thinking: think, messages: [user('Think')] });
ok(thought.content[0].type === 'thinking' && thought.content[0].signature.length > 0 && thought.content[1].type === 'text',
   'thinking block then text');
const tstream = client.messages.stream({ model, max_tokens: 2048, thinking: think, messages: [user('Think')] });
let thinking = '', signature = '';
tstream.on('thinking', (d) => { thinking += d; });
tstream.on('signature', (s) => { signature = s; });
const tfinal = await tstream.finalMessage();
ok(thinking.length > 0 && signature.length > 0 && tfinal.content[0].thinking === thinking && tfinal.content[1].text.length > 0,
   `streamed thinking "${thinking}"`);

// thinking in a tool loop: the thought comes before the call; the next turn gives the assistant content back
// whole (thinking block first), and one that drops the thinking block is the API's 400
const thinkCall = await client.messages.create({ model, max_tokens: 2048, thinking: think, tools, messages: [user('Weather in Oslo?')] });
const thinkUse = thinkCall.content.find((b) => b.type === 'tool_use');
const loop = (assistant) => client.messages.create({ model, max_tokens: 2048, thinking: think, tools, messages: [user('Weather in Oslo?'),
  { role: 'assistant', content: assistant }, user([{ type: 'tool_result', tool_use_id: thinkUse.id, content: '5 C' }])] });
const thinkAnswer = await loop(thinkCall.content);
ok(thinkCall.content[0].type === 'thinking' && thinkUse && thinkAnswer.stop_reason === 'end_turn' && thinkAnswer.content.at(-1).type === 'text',
   'thinking, tool_use, then the loop given the thinking back ends in text');
await expectError(() => loop(thinkCall.content.filter((b) => b.type !== 'thinking')), BadRequestError, 400,
  'a tool loop that drops the thinking block', (e) => e.type === 'invalid_request_error' &&
  e.error?.error?.message.startsWith('messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`.'));

// 5. count_tokens, models
const count = await client.messages.countTokens({ model, messages: [user('Count these tokens, please')] });
ok(Number.isInteger(count.input_tokens) && count.input_tokens > 0, 'count_tokens ' + count.input_tokens);
const ids = [];
for await (const m of client.models.list()) ids.push(m.id);
ok(ids.length === 2 && ids[0] === 'claude-sonnet-4-5', 'models.list ' + ids.join(','));
const one = await client.models.retrieve('claude-haiku-4-5');
ok(one.type === 'model' && one.display_name === 'Claude Haiku 4.5', 'models.retrieve ' + JSON.stringify(one));

// 6. errors
const bad = new Anthropic({ baseURL, apiKey: 'sk-ant-wrong', maxRetries: 0 });
await expectError(() => bad.messages.create({ model, max_tokens: 8, messages: [user('x')] }), AuthenticationError, 401,
  'wrong key', (e) => e.type === 'authentication_error' && /^req_011C/.test(e.requestID));
await expectError(() => client.messages.create({ model: 'claude-nope', max_tokens: 8, messages: [user('x')] }),
  NotFoundError, 404, 'unknown model', (e) => e.type === 'not_found_error' && e.message.includes('model: claude-nope'));
await expectError(() => client.messages.create({ model, max_tokens: 8, messages: [] }), BadRequestError, 400,
  'empty messages', (e) => e.type === 'invalid_request_error');
await expectError(() => client.messages.create({ model, max_tokens: 8, messages: [user('x')], temperature: 0.5 }),
  BadRequestError, 400, 'temperature under 2026-10-21', (e) => e.error?.error?.message === 'temperature: Extra inputs are not permitted');
await expectError(() => client.messages.create({ model, max_tokens: 8, messages: [user('x')] },
  { headers: { 'x-mock-fault': 'limited' } }), RateLimitError, 429, '429 from a fault',
  (e) => e.type === 'rate_limit_error' && e.headers.get('retry-after') === '1');
const Overloaded = sdk.OverloadedError ?? InternalServerError;
await expectError(() => client.messages.create({ model, max_tokens: 8, messages: [user('x')] },
  { headers: { 'x-mock-fault': 'overloaded' } }), Overloaded, 529, '529 from a fault',
  (e) => e instanceof InternalServerError && e.type === 'overloaded_error' && e.message.includes('Overloaded'));

// The SDK's own retries (2 by default) on Anthropic's 529: the key sk-ant-retry meets two, then is answered.
let attempts = 0;
const retrying = new Anthropic({ baseURL, apiKey: 'sk-ant-retry', fetch: (url, init) => { attempts++; return fetch(url, init); } });
const retried = await retrying.messages.create({ model, max_tokens: 8, messages: [user('x')] });
ok(attempts === 3 && retried.content[0].text.length > 0, `two 529s retried, then answered (${attempts} attempts)`);

// 7. the older API version with x-api-key, where temperature is still a parameter
const legacy = new Anthropic({ baseURL, apiKey: null, authToken: null, maxRetries: 0,
  defaultHeaders: { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-good' } });
const old = await legacy.post('/v1/messages', { body: { model, max_tokens: 16, temperature: 0.2, messages: [user('x')] } });
ok(old.type === 'message' && old.content[0].text.length > 0, 'anthropic-version 2023-06-01 with x-api-key');

if (failures > 0) { console.log(`${failures} check(s) failed`); process.exit(1); }
console.log('all Anthropic SDK checks passed');
