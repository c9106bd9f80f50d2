// The official OpenAI Node SDK's AzureOpenAI client against a mock-provider Azure deployment: chat (body and
// stream, with Azure's leading filter chunk), tool calls, embeddings, the deployment taken from the body's
// model or from the client, Responses on the v1 surface, the SDK's error classes for Azure's errors, the request
// id it reads from x-request-id, and its retries on Azure's 429 (retry-after-ms).
// Run by tests/integration/openai_sdk_test.sh with the deployment's endpoint.
import { AzureOpenAI, RateLimitError } from 'openai';
const [endpoint] = process.argv.slice(2);
const apiVersion = '2024-10-21';
const client = new AzureOpenAI({ endpoint, apiKey: 'az-key', apiVersion, maxRetries: 0 });
let failures = 0;
const ok = (cond, what) => { if (!cond) { failures++; console.log('FAIL', what); } else console.log('ok  ', what); };
async function expectError(fn, status, what, check) {
  try { await fn(); ok(false, what + ' (no error)'); }
  catch (e) { ok(e.status === status && (!check || check(e)), `${what}: ${e.status} ${e.code} "${e.message}"`); }
}

const chat = await client.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'Hello' }] });
ok(chat.object === 'chat.completion' && chat.model === 'gpt-4o-prod' && chat.choices[0].message.content.length > 0, 'chat through deployments/{model}');
ok(chat.prompt_filter_results?.[0]?.content_filter_results?.hate?.severity === 'safe', 'prompt_filter_results');
ok(chat.choices[0].content_filter_results?.violence?.filtered === false, 'choice content_filter_results');
// Azure sends x-request-id next to apim-request-id; the SDK reads the request id of results and errors from it.
const { data: withId, response: idResponse } = await client.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'x' }] }).withResponse();
ok(/^[0-9a-f]{32}$/.test(withId._request_id ?? '') && withId._request_id === idResponse.headers.get('apim-request-id'), 'request id from x-request-id ' + withId._request_id);

let text = '', chunks = 0, empty = 0;
const stream = await client.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'hi' }], stream: true });
for await (const c of stream) { chunks++; if (c.choices.length === 0) empty++; for (const ch of c.choices) text += ch.delta?.content || ''; }
ok(chunks > 3 && empty === 1 && text.length > 0, `chat stream (${chunks} chunks, ${empty} filter chunk, "${text.slice(0, 30)}")`);
const runner = client.chat.completions.stream({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'hi' }] });
const final = await runner.finalChatCompletion();
ok(typeof final.choices[0].message.content === 'string' && final.choices[0].message.content.length > 0, 'stream runner over the filter chunk');

const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } } }];
const tc = await client.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'find' }], tools, tool_choice: 'required' });
const args = JSON.parse(tc.choices[0].message.tool_calls[0].function.arguments);
ok(tc.choices[0].finish_reason === 'tool_calls' && Number.isInteger(args.id) && args.id >= 1, 'tool call ' + JSON.stringify(args));

const pinned = new AzureOpenAI({ endpoint, apiKey: 'az-key', apiVersion, deployment: 'embed-prod', maxRetries: 0 });
const emb = await pinned.embeddings.create({ model: 'ignored-by-azure', input: ['a', 'b'], dimensions: 16, encoding_format: 'float' });
ok(emb.data.length === 2 && emb.data[0].embedding.length === 16 && emb.model === 'embed-prod', 'embeddings on the client deployment');

const v1 = new AzureOpenAI({ baseURL: endpoint + '/openai/v1', apiKey: 'az-key', apiVersion: 'preview', maxRetries: 0 });
const r = await v1.responses.create({ model: 'gpt-4o-prod', input: 'Tell me a story' });
ok(r.object === 'response' && r.output_text.length > 0, 'responses on /openai/v1');

await expectError(() => client.chat.completions.create({ model: 'no-such-deployment', messages: [{ role: 'user', content: 'x' }] }), 404, 'unknown deployment', (e) => e.code === 'DeploymentNotFound' && /^[0-9a-f]{32}$/.test(e.requestID ?? ''));
const badKey = new AzureOpenAI({ endpoint, apiKey: 'wrong', apiVersion, maxRetries: 0 });
await expectError(() => badKey.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'x' }] }), 401, 'wrong key', (e) => e.code === '401');
const badVersion = new AzureOpenAI({ endpoint, apiKey: 'az-key', apiVersion: '1999-01-01', maxRetries: 0 });
await expectError(() => badVersion.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'x' }] }), 400, 'unsupported api-version', (e) => e.code === 'BadRequest');
await expectError(() => client.chat.completions.create({ model: 'gpt-4o-prod', messages: [] }), 400, 'validation error', (e) => e.type === 'invalid_request_error');

// Azure's 429 says how long to wait in retry-after-ms too, which the SDK reads first: 200 ms here, where
// retry-after says a whole second.
await expectError(() => client.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-fault': 'throttled' } }), 429, '429 with retry-after-ms',
  (e) => e instanceof RateLimitError && e.headers.get('retry-after-ms') === '200' && e.headers.get('retry-after') === '1' && e.code === '429');
// The SDK's own retries (2 by default): the key az-retry meets two 429s, then the third attempt is answered.
const sent = [];
const retrying = new AzureOpenAI({ endpoint, apiKey: 'az-retry', apiVersion, fetch: (url, init) => { sent.push(Date.now()); return fetch(url, init); } });
const afterRetries = await retrying.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'x' }] });
const gaps = sent.slice(1).map((t, i) => t - sent[i]);
ok(sent.length === 3 && gaps.every((g) => g >= 200) && afterRetries.choices[0].message.content.length > 0, `two 429s retried after ${gaps.join(' and ')} ms, then answered`);

if (failures > 0) { console.log(`${failures} check(s) failed`); process.exit(1); }
console.log('all AzureOpenAI checks passed');
