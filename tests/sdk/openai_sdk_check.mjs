// The official OpenAI Node SDK against mock-provider: every endpoint, stream and non-stream, errors.
// Reasoning models before tool calls and structured output, and an agent loop that gives the reasoning back.
// Run by tests/integration/openai_sdk_test.sh with four api_bases: A (tool calls on, 6 tokens), B (keys),
// C (up to 3 parallel tool calls) and E (content: echo, for stop sequences).
// Structured output goes through the SDK's own helpers (zod schemas, .parse(), the stream runner).
import OpenAI from 'openai';
import { zodFunction, zodResponseFormat, zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
const [base, authBase, parallelBase, echoBase] = process.argv.slice(2);
const client = new OpenAI({ baseURL: base, apiKey: 'sk-test', maxRetries: 0 });
let failures = 0;
const ok = (cond, what) => { if (!cond) { failures++; console.log('FAIL', what); } else console.log('ok  ', what); };

async function expectError(fn, cls, what, check) {
  try { await fn(); ok(false, what + ' (no error)'); }
  catch (e) { ok(e instanceof cls && (!check || check(e)), `${what}: ${e.status} ${e.code} ${e.param} "${e.message}"`); }
}
const chat = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }], n: 2, max_tokens: 4 });
ok(chat.object === 'chat.completion' && chat.choices.length === 2 && chat.choices[1].finish_reason === 'length', 'chat non-stream n=2 length');
ok(chat.usage.total_tokens === chat.usage.prompt_tokens + chat.usage.completion_tokens && chat.usage.completion_tokens === 8, 'chat usage');
const { data: raw, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).withResponse();
ok(/^req_[0-9a-f]{32}$/.test(response.headers.get('x-request-id') || ''), 'x-request-id ' + response.headers.get('x-request-id'));
ok(raw._request_id === response.headers.get('x-request-id'), 'SDK picks up the request id');

let text = '', chunks = 0, usage = null, roles = 0;
const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
for await (const c of stream) { chunks++; if (c.usage) usage = c.usage; for (const ch of c.choices) { if (ch.delta.role) roles++; text += ch.delta.content || ''; } }
ok(chunks > 3 && usage && usage.completion_tokens > 0 && roles === 1 && text.length > 0, `chat stream (${chunks} chunks, text "${text.slice(0, 30)}...")`);

// n: 2 streamed: each chunk's choices carry their index; both choices get text and their own finish_reason, and
// the runner assembles two messages.
const perIndex = [0, 0], finishes = [], nText = ['', ''];
for await (const c of await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], n: 2, stream: true })) {
  for (const ch of c.choices) { perIndex[ch.index]++; nText[ch.index] += ch.delta.content || ''; if (ch.finish_reason) finishes[ch.index] = ch.finish_reason; }
}
const nFinal = await client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], n: 2 }).finalChatCompletion();
ok(perIndex.every((k) => k > 3) && finishes.join() === 'stop,stop' && nText.every((t) => t.length > 0) && nFinal.choices.length === 2 &&
   nFinal.choices.every((ch, i) => ch.index === i && ch.message.content.length > 0), `chat stream n=2: ${perIndex.join('+')} choice chunks`);

// stop: the echoed answer ends right before the first stop sequence (here across a word boundary), finish_reason
// stop, usage of the tokens said (the, quick, brown and the space before fox); the stream never sends it.
const echo = new OpenAI({ baseURL: echoBase, apiKey: 'sk-test', maxRetries: 0 });
const stopReq = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'the quick brown fox jumps over' }], stop: ['zzz', 'fox ju'] };
const stopped = await echo.chat.completions.create(stopReq);
ok(stopped.choices[0].message.content === 'the quick brown ' && stopped.choices[0].finish_reason === 'stop' && stopped.usage.completion_tokens === 4,
   `chat stop: "${stopped.choices[0].message.content}" ${stopped.choices[0].finish_reason} ${stopped.usage.completion_tokens} tokens`);
const stopStream = echo.chat.completions.stream({ ...stopReq, stream_options: { include_usage: true } });
let stopText = '';
stopStream.on('content', (delta) => { stopText += delta; });
const stopFinal = await stopStream.finalChatCompletion();
ok(stopText === 'the quick brown ' && stopFinal.choices[0].message.content === stopText && stopFinal.choices[0].finish_reason === 'stop' &&
   stopFinal.usage?.completion_tokens === 4, `chat stream stop: "${stopText}" ${stopFinal.choices[0].finish_reason} ${stopFinal.usage?.completion_tokens} tokens`);

// Stream helper with accumulation (runner): final message must equal streamed text.
const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const final = await runner.finalChatCompletion();
ok(typeof final.choices[0].message.content === 'string' && final.choices[0].finish_reason, 'chat stream runner finalChatCompletion');

const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] } } }];
const tc = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }], tools, tool_choice: 'required' });
const call = tc.choices[0].message.tool_calls?.[0];
const targs = call && JSON.parse(call.function.arguments);
ok(tc.choices[0].finish_reason === 'tool_calls' && typeof targs?.city === 'string' && targs.city.length > 0 && Number.isInteger(targs.days), 'tool call non-stream ' + call?.function.arguments);
const tstream = client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }], tools, tool_choice: 'required' });
const tfinal = await tstream.finalChatCompletion();
const tcall = tfinal.choices[0].message.tool_calls?.[0];
ok(tcall && tcall.id.startsWith('call_') && tcall.function.arguments === call.function.arguments, 'tool call stream accumulated ' + tcall?.function.arguments);

const comp = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this', max_tokens: 3 });
ok(comp.object === 'text_completion' && comp.choices[0].finish_reason === 'length', 'completions');
let ctext = '';
for await (const c of await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say', stream: true })) ctext += c.choices[0]?.text || '';
ok(ctext.length > 0, 'completions stream');

const e1 = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] });
ok(e1.data.length === 2 && e1.data[0].embedding.length === 1536, 'embeddings (SDK default encoding) dims ' + e1.data[0].embedding.length);
const e2 = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello', encoding_format: 'float', dimensions: 8 });
const e3 = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello', encoding_format: 'base64', dimensions: 8 });
const dec = Array.from(new Float32Array(Buffer.from(e3.data[0].embedding, 'base64').buffer.slice(Buffer.from(e3.data[0].embedding, 'base64').byteOffset)));
ok(e2.data[0].embedding.length === 8 && e2.data[0].embedding.every((v, i) => Math.fround(v) === dec[i]), 'embeddings float == base64');
const norm = Math.sqrt(e2.data[0].embedding.reduce((s, v) => s + v * v, 0));
ok(Math.abs(norm - 1) < 1e-5, 'unit vector ' + norm);

const r = await client.responses.create({ model: 'gpt-4o', input: 'Tell me a story', instructions: 'be brief' });
ok(r.object === 'response' && r.status === 'completed' && r.output_text.length > 0 && r.usage.total_tokens > 0, 'responses non-stream output_text "' + r.output_text.slice(0, 30) + '"');
const events = [];
const rs = await client.responses.create({ model: 'gpt-4o', input: 'hi', stream: true });
for await (const ev of rs) events.push(ev);
ok(events[0].type === 'response.created' && events.at(-1).type === 'response.completed' && events.every((e, i) => e.sequence_number === i), `responses stream ${events.length} events`);
const rstream = client.responses.stream({ model: 'gpt-4o', input: 'hi' });
const rfinal = await rstream.finalResponse();
ok(rfinal.output_text.length > 0, 'responses stream helper finalResponse');
// reasoning: the item before the message, its summary streamed as deltas the helper folds into the final response
const rr = await client.responses.create({ model: 'o4-mini', input: 'why?', reasoning: { effort: 'low', summary: 'auto' }, include: ['reasoning.encrypted_content'] });
const ri = rr.output[0];
ok(ri.type === 'reasoning' && /^rs_/.test(ri.id) && ri.summary[0].type === 'summary_text' && ri.summary[0].text.split(' ').length === 3 && ri.encrypted_content.startsWith('gAAAAAB') && rr.output[1].type === 'message' && rr.output_text.length > 0 && rr.usage.output_tokens === 6 && rr.usage.output_tokens_details.reasoning_tokens === 3 && rr.reasoning.effort === 'low', `responses reasoning item "${ri.summary[0].text}"`);
const rsum = client.responses.stream({ model: 'o4-mini', input: 'why?', reasoning: { effort: 'low', summary: 'detailed' } });
let summaryText = '';
rsum.on('response.reasoning_summary_text.delta', (e) => { summaryText += e.delta; });
const rsfinal = await rsum.finalResponse();
ok(summaryText.length > 0 && rsfinal.output[0].type === 'reasoning' && rsfinal.output[0].summary[0].text === summaryText && rsfinal.output[1].type === 'message' && rsfinal.output_text.length > 0, `responses reasoning summary stream "${summaryText}"`);
// A reasoning model reasons before it calls a tool: the reasoning item, then the function_call (streamed alike);
// the agent loop's next turn gives both back (without store, so with the encrypted content) with the call's
// output, and is answered in text.
const lookupTool = [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }];
const rq = { model: 'o4-mini', input: 'look it up', tools: lookupTool, tool_choice: 'required', store: false, reasoning: { effort: 'low', summary: 'auto' }, include: ['reasoning.encrypted_content'] };
const turn1 = await client.responses.create(rq);
const [rsItem, fcItem] = turn1.output;
ok(turn1.output.length === 2 && rsItem.type === 'reasoning' && rsItem.summary[0].text.split(' ').length === 3 && rsItem.encrypted_content.startsWith('gAAAAAB') && fcItem.type === 'function_call' && typeof JSON.parse(fcItem.arguments).q === 'string' && turn1.usage.output_tokens_details.reasoning_tokens === 3 && turn1.usage.output_tokens > 3,
   `responses reasoning then function_call ${fcItem?.arguments} (${turn1.usage.output_tokens_details.reasoning_tokens} of ${turn1.usage.output_tokens} output tokens reasoning)`);
const rcs = client.responses.stream(rq);
let argIndexes = new Set(), rcsSummary = '';
rcs.on('response.function_call_arguments.delta', (e) => argIndexes.add(e.output_index));
rcs.on('response.reasoning_summary_text.delta', (e) => { rcsSummary += e.delta; });
const rcsFinal = await rcs.finalResponse();
ok(rcsFinal.output[0].type === 'reasoning' && rcsFinal.output[0].summary[0].text === rcsSummary && rcsFinal.output[1].arguments === fcItem.arguments && [...argIndexes].join() === '1', 'responses reasoning then function_call, streamed');
const loopInput = [{ role: 'user', content: 'look it up' }, rsItem, fcItem, { type: 'function_call_output', call_id: fcItem.call_id, output: '42' }];
const turn2 = await client.responses.create({ ...rq, tool_choice: 'auto', input: loopInput });
ok(turn2.output[0].type === 'reasoning' && turn2.output[1].type === 'message' && turn2.output_text.length > 0, 'responses agent loop: the reasoning item given back, then text');
await expectError(() => client.responses.create({ ...rq, input: [loopInput[0], { id: rsItem.id, type: 'reasoning', summary: [] }, ...loopInput.slice(2)] }), OpenAI.NotFoundError, '404 reasoning item without store nor encrypted_content', e => e.param === 'input');
await expectError(() => client.responses.create({ model: 'o4-mini', input: [loopInput[0], rsItem] }), OpenAI.BadRequestError, '400 reasoning item without its following item', e => e.param === 'input');
const rparsedR = await client.responses.parse({ model: 'o4-mini', input: 'Describe a user', reasoning: { effort: 'low' }, text: { format: zodTextFormat(z.object({ name: z.string(), age: z.number().int() }), 'p') } });
ok(rparsedR.output[0].type === 'reasoning' && typeof rparsedR.output_parsed?.name === 'string' && rparsedR.usage.output_tokens_details.reasoning_tokens === 3, 'responses.parse with reasoning ' + rparsedR.output_text);
const chatR = { model: 'o4-mini', messages: [{ role: 'user', content: 'weather?' }], tools, tool_choice: 'required', reasoning_effort: 'low' };
const ctc = await client.chat.completions.create(chatR);
const ctcFinal = await client.chat.completions.stream(chatR).finalChatCompletion();
ok(ctc.choices[0].message.tool_calls?.[0]?.function.arguments === ctcFinal.choices[0].message.tool_calls?.[0]?.function.arguments && ctc.usage.completion_tokens_details.reasoning_tokens === 3 && ctc.usage.completion_tokens > 3, 'chat tool call with reasoning_effort: reasoning_tokens ' + ctc.usage.completion_tokens_details.reasoning_tokens);
const rtool = await client.responses.create({ model: 'gpt-4o', input: 'weather?', tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }], tool_choice: 'required' });
ok(rtool.output[0].type === 'function_call' && typeof JSON.parse(rtool.output[0].arguments).q === 'string', 'responses function_call ' + rtool.output[0].arguments);
const rts = client.responses.stream({ model: 'gpt-4o', input: 'weather?', tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }], tool_choice: 'required' });
const rtf = await rts.finalResponse();
ok(rtf.output[0].type === 'function_call' && rtf.output[0].arguments === rtool.output[0].arguments, 'responses function_call stream');

// Structured output: the SDK's zod helpers send strict json_schema formats; the mock's JSON must pass the
// same zod schema (formats, bounds, patterns, nullable, nested objects, enums).
const Person = z.object({
  name: z.string(), email: z.string().email(), age: z.number().int().min(18).max(99),
  tags: z.array(z.string()).min(1).max(4), nickname: z.string().nullable(), id: z.string().uuid(),
  role: z.enum(['admin', 'user', 'guest']), address: z.object({ city: z.string(), zip: z.string().regex(/^\d{5}$/) }),
  joined: z.string().datetime(), score: z.number().min(0).max(1),
});
const ask = [{ role: 'user', content: 'Describe a user' }];
const parsed = await client.chat.completions.parse({ model: 'gpt-4o', messages: ask, response_format: zodResponseFormat(Person, 'person') });
const pmsg = parsed.choices[0].message;
ok(pmsg.parsed && Person.safeParse(pmsg.parsed).success && parsed.choices[0].finish_reason === 'stop', 'chat.completions.parse (zod) ' + pmsg.content);
const rparsed = await client.responses.parse({ model: 'gpt-4o', input: 'Describe a user', text: { format: zodTextFormat(Person, 'person') } });
ok(rparsed.output_parsed && Person.safeParse(rparsed.output_parsed).success && rparsed.text.format.name === 'person', 'responses.parse (zod) ' + rparsed.output_text);
let partials = 0, lastPartial = null;
const pstream = client.chat.completions.stream({ model: 'gpt-4o', messages: ask, response_format: zodResponseFormat(Person, 'person') });
pstream.on('content.delta', ({ parsed: partial }) => { if (partial && typeof partial === 'object') { partials++; lastPartial = partial; } });
const pfinal = await pstream.finalChatCompletion();
ok(partials > 5 && Person.safeParse(pfinal.choices[0].message.parsed).success && pfinal.choices[0].message.content === pmsg.content, `chat stream parse: ${partials} partial objects, same JSON as non-stream`);
const jo = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Reply in JSON' }], response_format: { type: 'json_object' } });
const joParsed = JSON.parse(jo.choices[0].message.content);
ok(joParsed && typeof joParsed === 'object' && !Array.isArray(joParsed), 'json_object ' + jo.choices[0].message.content);
// JSON mode with the keys in the prompt (LangChain jsonMode style): the object has those keys.
const jk = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You must always output a JSON object with an "answer" key and a "followup_question" key.' }, { role: 'user', content: 'What is the capital of France?' }], response_format: { type: 'json_object' } });
const jkParsed = JSON.parse(jk.choices[0].message.content);
ok(Object.keys(jkParsed).join(',') === 'answer,followup_question' && typeof jkParsed.answer === 'string', 'json_object keys from the prompt ' + jk.choices[0].message.content);
await expectError(() => client.chat.completions.create({ model: 'gpt-4o', messages: ask, response_format: { type: 'json_object' } }), OpenAI.BadRequestError, '400 json_object without "json"', e => e.param === 'messages');
await expectError(() => client.chat.completions.create({ model: 'gpt-4o', messages: ask, response_format: { type: 'json_schema', json_schema: { name: 'p', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } } } }), OpenAI.BadRequestError, '400 strict schema', e => e.param === 'response_format' && /additionalProperties/.test(e.message));

// Agent loops: the mock calls a tool (deployment a: tool_calls on), the runner calls the function and sends
// its result, and the mock answers that in text, so the loop ends with final content. zodFunction makes the
// tool strict and has the SDK parse the arguments with the zod schema.
const Weather = z.object({ city: z.string().min(2), unit: z.enum(['celsius', 'fahrenheit']), days: z.number().int().min(1).max(7), contact: z.string().email().nullable() });
for (const stream of [false, true]) {
  let calls = 0, seen = null;
  const agent = client.chat.completions.runTools({
    model: 'gpt-4o', stream, messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    tools: [zodFunction({ name: 'get_weather', parameters: Weather, function: (args) => { calls++; seen = args; return { temperature: 21 }; } })],
  });
  const finalText = await agent.finalContent();
  ok(typeof finalText === 'string' && finalText.length > 0 && calls === 1 && Weather.safeParse(seen).success,
     `runTools${stream ? ' (stream)' : ''} ends with final content after ${calls} call: ${JSON.stringify(seen)} -> "${finalText}"`);
}
// Parallel calls (deployment C): one answer may call several functions; the runner answers each, and the
// loop still ends with final content.
const par = new OpenAI({ baseURL: parallelBase, apiKey: 'sk-test', maxRetries: 0 });
let parCalls = 0, parRounds = 0, widest = 0;
for (let i = 0; i < 6; i++) {
  const called = new Set();
  const agent = par.chat.completions.runTools({
    model: 'gpt-4o', messages: [{ role: 'user', content: `weather and time, round ${i}` }],
    tools: ['weather', 'time', 'news'].map(name => zodFunction({ name, parameters: z.object({ q: z.string().min(1) }), function: () => { parCalls++; called.add(name); return 'ok'; } })),
  });
  const text = await agent.finalContent();
  if (typeof text === 'string' && text.length > 0) parRounds++;
  widest = Math.max(widest, called.size);
}
ok(parRounds === 6 && widest >= 2, `parallel tool calls: ${parCalls} calls over 6 loops (up to ${widest} functions in one answer), each loop ends with content`);
// Responses with parallel calls (deployment C): several function_call output items, streamed one after the
// other; answering each with a function_call_output ends the loop in text.
let rWidest = 0, rLoops = 0, rStreamSame = true;
for (let i = 0; i < 6; i++) {
  const ptools = ['weather', 'time', 'news'].map(name => ({ type: 'function', name, parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false }, strict: true }));
  const req = { model: 'gpt-4o', input: `weather and time, round ${i}`, tools: ptools };
  const first = await par.responses.create(req);
  const calls = first.output.filter(o => o.type === 'function_call');
  rWidest = Math.max(rWidest, calls.length);
  const sfinal = await par.responses.stream(req).finalResponse();
  const scalls = sfinal.output.filter(o => o.type === 'function_call');
  // how many calls is drawn per request; call k's name and arguments are the same in both
  if (scalls.length === 0 || new Set(scalls.map(c => c.call_id)).size !== scalls.length || scalls.some((c, k) => k < calls.length && (c.name !== calls[k].name || c.arguments !== calls[k].arguments))) rStreamSame = false;
  const outputs = calls.map(c => ({ type: 'function_call_output', call_id: c.call_id, output: 'ok' }));
  const next = await par.responses.create({ ...req, input: [{ role: 'user', content: req.input }, ...calls, ...outputs] });
  if (calls.length > 0 && calls.every(c => typeof JSON.parse(c.arguments).q === 'string') && next.output[0].type === 'message' && next.output_text.length > 0) rLoops++;
}
ok(rLoops === 6 && rWidest >= 2 && rStreamSame, `responses parallel function calls: up to ${rWidest} function_call items in one answer, stream alike, each loop ends in text`);
const rtools = [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }];
const step1 = await client.responses.create({ model: 'gpt-4o', input: 'look it up', tools: rtools });
const fc = step1.output[0];
const step2 = await client.responses.create({ model: 'gpt-4o', tools: rtools, input: [{ role: 'user', content: 'look it up' }, fc, { type: 'function_call_output', call_id: fc.call_id, output: '42' }] });
ok(fc.type === 'function_call' && step2.output[0].type === 'message' && step2.output_text.length > 0, 'responses: function_call, then text after function_call_output');
await expectError(() => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_1', content: '42' }] }), OpenAI.BadRequestError, '400 tool message without tool_calls', e => e.param === 'messages.[1].role');
const asked = { role: 'assistant', content: null, tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '{}' } }] };
await expectError(() => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }, asked, { role: 'tool', tool_call_id: 'call_b', content: '42' }] }), OpenAI.BadRequestError, '400 tool_call_id that no call has', e => e.param === 'messages.[2].tool_call_id' && /'call_b' not found in 'tool_calls'/.test(e.message));
await expectError(() => client.responses.create({ model: 'gpt-4o', input: [{ role: 'user', content: 'x' }, { type: 'function_call_output', call_id: 'call_z', output: '42' }] }), OpenAI.BadRequestError, '400 function_call_output without its call', e => e.param === 'input' && /call_id call_z/.test(e.message));

// logprobs: one entry per output token, tokens concatenating to the content, bytes their UTF-8; in the body
// and in every stream chunk.
const lpReq = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], logprobs: true, top_logprobs: 2 };
const lp = await client.chat.completions.create(lpReq);
const lpc = lp.choices[0].logprobs.content;
ok(lpc.length === lp.usage.completion_tokens && lpc.map(e => e.token).join('') === lp.choices[0].message.content &&
   lpc.every(e => e.logprob <= 0 && e.top_logprobs.length === 2 && e.top_logprobs[0].token === e.token && Buffer.from(e.bytes).toString() === e.token),
   `chat logprobs body (${lpc.length} tokens)`);
let lpText = '', lpTokens = '', lpEvery = true;
for await (const ch of await client.chat.completions.create({ ...lpReq, stream: true })) {
  for (const c of ch.choices) {
    if (!c.logprobs || !Array.isArray(c.logprobs.content)) lpEvery = false;
    else lpTokens += c.logprobs.content.map(e => e.token).join('');
    lpText += c.delta.content || '';
  }
}
ok(lpEvery && lpTokens === lpText && lpText.length > 0, 'chat logprobs in every stream chunk');
const clp = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this', logprobs: 2 });
const cl = clp.choices[0].logprobs;
ok(cl && cl.tokens.join('') === clp.choices[0].text && cl.token_logprobs.length === cl.tokens.length && cl.top_logprobs.every((t, i) => Object.keys(t).length === 2 && t[cl.tokens[i]] === cl.token_logprobs[i]) && cl.text_offset[0] === 'Say this'.length,
   `legacy completions logprobs (${cl?.tokens.length} tokens, offsets ${cl?.text_offset.join(',')})`);
let clText = '', clTokens = '';
for await (const ch of await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this', logprobs: 1, stream: true })) {
  clText += ch.choices[0]?.text || '';
  clTokens += (ch.choices[0]?.logprobs?.tokens || []).join('');
}
ok(clText.length > 0 && clTokens === clText, 'legacy completions logprobs in every stream chunk');
const rlp = await client.responses.create({ model: 'gpt-4o', input: 'hi', include: ['message.output_text.logprobs'], top_logprobs: 1 });
ok(rlp.output[0].content[0].logprobs.map(e => e.token).join('') === rlp.output_text, 'responses output_text.logprobs');
// Ids are new for every request; Responses echo what was sent.
const idA = await client.chat.completions.create({ model: 'gpt-4o', messages: ask }), idB = await client.chat.completions.create({ model: 'gpt-4o', messages: ask });
ok(idA.id !== idB.id, 'ids differ between requests');
const echoed = await client.responses.create({ model: 'gpt-4o', input: 'hi', previous_response_id: r.id, store: false, metadata: { run: 'ci-1' }, service_tier: 'flex', user: 'u-1' });
ok(echoed.previous_response_id === r.id && echoed.store === false && echoed.metadata.run === 'ci-1' && echoed.service_tier === 'flex' && echoed.user === 'u-1', 'responses echo previous_response_id, store, metadata, service_tier, user');
await expectError(() => client.responses.create({ model: 'gpt-4o', input: 'hi', metadata: { n: 1 } }), OpenAI.BadRequestError, '400 metadata value not a string', e => e.param === 'metadata.n');
await expectError(() => client.post('/chat/completions', { body: '{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":1e400}', headers: { 'content-type': 'application/json' } }), OpenAI.BadRequestError, '400 temperature 1e400', e => e.param === 'temperature');

// Errors inside a stream (the fault "cut", after two tokens): chat's data-only error frame is raised as an
// APIError; a Responses stream ends with its typed error event, numbered after the others, which the SDK yields
// as an event (and the stream helper rejects with).
const cut = { headers: { 'x-mock-fault': 'cut' } };
await expectError(async () => { for await (const _ of await client.chat.completions.create({ model: 'gpt-4o', messages: ask, stream: true }, cut)); }, OpenAI.APIError, 'chat stream: an error after two chunks', e => e.type === 'server_error' && e.status === undefined);
const cutEvents = [];
try { for await (const ev of await client.responses.create({ model: 'gpt-4o', input: 'hi', stream: true }, cut)) cutEvents.push(ev); }
catch (e) { cutEvents.push({ type: 'thrown ' + e.constructor.name }); }
const lastEv = cutEvents.at(-1);
ok(lastEv?.type === 'error' && lastEv.code === 'server_error' && /overloaded/.test(lastEv.message) && lastEv.param === null &&
   cutEvents.every((e, i) => e.sequence_number === i) && cutEvents.filter(e => e.type === 'response.output_text.delta').length === 2,
   `responses stream ends in an error event: ${cutEvents.map(e => e.type.replace('response.', '')).join(',')}`);
let helperError = null;
try { await client.responses.stream({ model: 'gpt-4o', input: 'hi' }, cut).finalResponse(); } catch (e) { helperError = e; }
ok(helperError?.type === 'error' && helperError.code === 'server_error', 'responses stream helper rejects with the error event ' + JSON.stringify(helperError));

const models = await client.models.list();
ok(models.data.length > 0 && models.data[0].object === 'model', 'models.list ' + models.data.map(m => m.id).join(','));
const m = await client.models.retrieve('gpt-4o-mini');
ok(m.id === 'gpt-4o-mini', 'models.retrieve');

await expectError(() => client.chat.completions.create({ model: 'm', messages: 'hi' }), OpenAI.BadRequestError, '400 invalid_type', e => e.code === 'invalid_type' && e.param === 'messages');
await expectError(() => client.chat.completions.create({ model: 'm', messages: [] }), OpenAI.BadRequestError, '400 empty_array', e => e.code === 'empty_array');
await expectError(() => client.post('/chat/completions', { body: 'not json', headers: { 'content-type': 'application/json' } }), OpenAI.BadRequestError, '400 invalid JSON');
await expectError(() => client.post('/foo', { body: {} }), OpenAI.NotFoundError, '404 invalid URL', e => /Invalid URL \(POST \/v1\/foo\)/.test(e.message));
const auth = new OpenAI({ baseURL: authBase, apiKey: 'sk-wrong-key-123456', maxRetries: 0 });
await expectError(() => auth.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }), OpenAI.AuthenticationError, '401', e => e.code === 'invalid_api_key' && /^req_[0-9a-f]{32}$/.test(e.requestID ?? ''));
const good = new OpenAI({ baseURL: authBase, apiKey: 'sk-good', maxRetries: 0 });
await expectError(() => good.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'x' }] }), OpenAI.NotFoundError, '404 model_not_found', e => e.code === 'model_not_found');
await expectError(() => good.models.retrieve('gpt-5'), OpenAI.NotFoundError, '404 models.retrieve');
const { data: okGood, response: limited } = await good.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).withResponse();
ok(okGood.model === 'gpt-4o', 'auth ok with the right key');
// Deployment B has limits: every answer tells the quota in OpenAI's headers, the resets as Go durations.
const rl = (k) => limited.headers.get('x-ratelimit-' + k);
ok(rl('limit-requests') === '10000' && rl('limit-tokens') === '5000000' && Number(rl('remaining-requests')) < 10000 &&
   Number(rl('remaining-tokens')) < 5000000 && /^(\d+m)?\d+(\.\d+)?(ms|s)$/.test(rl('reset-requests') ?? '') && /^(\d+m)?\d+(\.\d+)?(ms|s)$/.test(rl('reset-tokens') ?? ''),
   'x-ratelimit headers ' + [...limited.headers].filter(([k]) => k.startsWith('x-ratelimit')).map(([k, v]) => `${k.slice(12)}=${v}`).join(' '));
console.log(failures ? `${failures} FAILURES` : 'ALL OK');
process.exit(failures ? 1 : 0);
