// The official Google Gen AI SDK (@google/genai) against mock-provider's Gemini API and Vertex AI deployments:
// generateContent, generateContentStream, thinking (thought parts), function calling with a schema (OpenAPI subset
// and JSON Schema) and the agent loop's end (automatic function calling too), structured output, embedContent,
// countTokens, models.list / models.get, chats, and the SDK's ApiError for Google's errors (and its retries when
// retryOptions asks). Vertex goes through httpOptions.baseUrl with a project and location, and a google-auth client
// that holds a fixed access token (no network). Run by tests/integration/genai_sdk_test.sh.
import { GoogleGenAI, Type, FunctionCallingConfigMode, ApiError } from '@google/genai';
import { OAuth2Client } from 'google-auth-library';

const [geminiUrl, vertexUrl] = process.argv.slice(2);
let failures = 0;
const ok = (cond, what) => { if (!cond) { failures++; console.log('FAIL', what); } else console.log('ok  ', what); };
async function expectError(fn, status, what, check) {
  try { await fn(); ok(false, what + ' (no error)'); }
  catch (e) {
    let body = {};
    try { body = JSON.parse(e.message); } catch { /* streams say "got status: ..." */ }
    ok(e instanceof ApiError && e.status === status && (!check || check(body, e)), `${what}: ${e.status} ${e.message.slice(0, 120)}`);
  }
}

const model = 'gemini-2.0-flash';
const ai = new GoogleGenAI({ apiKey: 'gm-key', httpOptions: { baseUrl: geminiUrl } });

// generateContent and its stream
const r = await ai.models.generateContent({ model, contents: 'Hello there' });
ok(typeof r.text === 'string' && r.text.length > 0 && r.candidates[0].finishReason === 'STOP', `generateContent "${r.text}"`);
ok(r.usageMetadata.candidatesTokenCount === 5 && r.usageMetadata.totalTokenCount === r.usageMetadata.promptTokenCount + 5, 'usageMetadata');
ok(r.modelVersion === model && typeof r.responseId === 'string' && r.responseId.length === 20, 'modelVersion and responseId');
const limited = await ai.models.generateContent({ model, contents: 'Hi', config: { maxOutputTokens: 2, candidateCount: 2 } });
ok(limited.candidates.length === 2 && limited.candidates.every((c) => c.finishReason === 'MAX_TOKENS'), 'maxOutputTokens and candidateCount');

let text = '', chunks = 0, last;
for await (const c of await ai.models.generateContentStream({ model, contents: 'Tell me a story' })) { chunks++; text += c.text ?? ''; last = c; }
ok(chunks === 5 && text.split(' ').length === 5 && last.candidates[0].finishReason === 'STOP' && last.usageMetadata.candidatesTokenCount === 5, `stream: ${chunks} chunks "${text}"`);

// thinking: a budget of 2 of the 5 tokens, the thoughts as parts with thought: true before the answer's
const thinking = { thinkingConfig: { thinkingBudget: 2, includeThoughts: true } };
const th = await ai.models.generateContent({ model, contents: 'Why?', config: thinking });
const tparts = th.candidates[0].content.parts;
ok(tparts.length === 2 && tparts[0].thought === true && tparts[0].text.split(' ').length === 2 && !tparts[1].thought && th.text === tparts[1].text && th.usageMetadata.thoughtsTokenCount === 2 && th.usageMetadata.candidatesTokenCount === 3, `thinking: thought "${tparts[0].text}", text "${th.text}"`);
let thoughts = 0, answers = 0;
for await (const c of await ai.models.generateContentStream({ model, contents: 'Why?', config: thinking }))
  for (const p of c.candidates?.[0]?.content?.parts ?? []) { if (p.thought) thoughts++; else if (!thoughts) answers = -1; else answers++; }
ok(thoughts === 2 && answers === 3, `thinking stream: ${thoughts} thought chunks before ${answers} answer chunks`);

// function calling: a forced call with an OpenAPI-subset schema, then a JSON Schema, then the loop's end
const weather = { name: 'get_weather', description: 'Weather of a city',
  parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING }, days: { type: Type.INTEGER, minimum: 1, maximum: 7 }, unit: { type: Type.STRING, enum: ['C', 'F'], nullable: true } }, required: ['city', 'days'] } };
const forced = await ai.models.generateContent({ model, contents: 'Weather in Paris?', config: { tools: [{ functionDeclarations: [weather] }], toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } } } });
const call = forced.functionCalls?.[0];
ok(call?.name === 'get_weather' && typeof call.args.city === 'string' && Number.isInteger(call.args.days) && call.args.days >= 1 && call.args.days <= 7, 'function call ' + JSON.stringify(call?.args));
const jsonDecl = { name: 'lookup', parametersJsonSchema: { type: 'object', properties: { id: { type: 'integer', minimum: 10, maximum: 20 }, tags: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } }, required: ['id', 'tags'], additionalProperties: false } };
const js = await ai.models.generateContent({ model, contents: 'find it', config: { tools: [{ functionDeclarations: [jsonDecl] }], toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ['lookup'] } } } });
const a = js.functionCalls?.[0]?.args;
ok(a && a.id >= 10 && a.id <= 20 && a.tags.length === 2, 'parametersJsonSchema call ' + JSON.stringify(a));
let streamedCall;
for await (const c of await ai.models.generateContentStream({ model, contents: 'Weather?', config: { tools: [{ functionDeclarations: [weather] }], toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } } } }))
  if (c.functionCalls?.length) streamedCall = c.functionCalls[0];
ok(streamedCall?.name === 'get_weather', 'a streamed function call arrives whole');
const answered = await ai.models.generateContent({ model, contents: [
  { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
  { role: 'model', parts: [{ functionCall: call }] },
  { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 21 } } }] },
], config: { tools: [{ functionDeclarations: [weather] }] } });
ok(!answered.functionCalls && answered.text.length > 0, 'a function response is answered in text (the agent loop ends)');

// thinking before a function call: a thought part, then the signed call (thoughtSignature); streamed, the
// thoughts come first; the next turn sends the model's content back as it came, with the function's response
const thinkCall = { ...thinking, tools: [{ functionDeclarations: [weather] }], toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } } };
const tc = await ai.models.generateContent({ model, contents: 'Weather in Paris?', config: thinkCall });
const tcParts = tc.candidates[0].content.parts;
ok(tcParts.length === 2 && tcParts[0].thought === true && tcParts[1].functionCall?.name === 'get_weather' && typeof tcParts[1].thoughtSignature === 'string' && tc.functionCalls?.length === 1 && tc.usageMetadata.thoughtsTokenCount === 2,
   `thinking before a function call: "${tcParts[0].text}", ${JSON.stringify(tcParts[1].functionCall?.args)}`);
let tcOrder = '';
for await (const c of await ai.models.generateContentStream({ model, contents: 'Weather in Paris?', config: thinkCall }))
  for (const p of c.candidates?.[0]?.content?.parts ?? []) tcOrder += p.thought ? 't' : p.functionCall ? 'c' : '?';
ok(tcOrder === 'ttc', 'thinking before a function call, streamed: ' + tcOrder);
const tcNext = await ai.models.generateContent({ model, contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }, tc.candidates[0].content,
  { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 21 } } }] }], config: { ...thinking, tools: [{ functionDeclarations: [weather] }] } });
ok(!tcNext.functionCalls && tcNext.text.length > 0 && tcNext.usageMetadata.thoughtsTokenCount === 2, 'the signed call given back, then text: ' + tcNext.text);

// automatic function calling: a CallableTool in config.tools has the SDK run the call and send its response
// back itself; the mock answers that in text, so the loop ends after one call
let afcCalls = 0;
const callable = {
  tool: async () => ({ functionDeclarations: [weather] }),
  callTool: async (fcs) => { afcCalls += fcs.length; return fcs.map((fc) => ({ functionResponse: { name: fc.name, response: { temperature: 21 } } })); },
};
const afc = await ai.models.generateContent({ model, contents: 'Weather in Paris?', config: { tools: [callable] } });
ok(afcCalls === 1 && !afc.functionCalls && afc.text.length > 0 && afc.automaticFunctionCallingHistory?.length === 3, `automatic function calling: ${afcCalls} call, then "${afc.text}"`);

// structured output
const people = await ai.models.generateContent({ model, contents: 'Two people', config: { responseMimeType: 'application/json',
  responseSchema: { type: Type.ARRAY, minItems: 2, maxItems: 2, items: { type: Type.OBJECT, properties: { name: { type: Type.STRING }, age: { type: Type.INTEGER, minimum: 0, maximum: 120 } }, required: ['name', 'age'] } } } });
const list = JSON.parse(people.text);
ok(Array.isArray(list) && list.length === 2 && list.every((p) => typeof p.name === 'string' && Number.isInteger(p.age)), 'responseSchema ' + people.text);
const js2 = await ai.models.generateContent({ model, contents: 'A colour', config: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { colour: { enum: ['red', 'green'] } }, required: ['colour'] } } });
ok(['red', 'green'].includes(JSON.parse(js2.text).colour), 'responseJsonSchema ' + js2.text);

// chats keep the history and send it back
const chat = ai.chats.create({ model });
await chat.sendMessage({ message: 'Hi' });
const second = await chat.sendMessage({ message: 'And then?' });
ok(second.text.length > 0 && chat.getHistory().length === 4, 'chat history');

// embeddings (batchEmbedContents under the hood), countTokens, models
const emb = await ai.models.embedContent({ model: 'text-embedding-004', contents: ['alpha', 'beta'], config: { outputDimensionality: 8 } });
const norm = Math.hypot(...emb.embeddings[0].values);
ok(emb.embeddings.length === 2 && emb.embeddings[1].values.length === 8 && Math.abs(norm - 1) < 1e-5, 'embedContent');
const count = await ai.models.countTokens({ model, contents: 'hello world' });
ok(count.totalTokens === 3, 'countTokens ' + count.totalTokens);
const names = [];
for await (const m of await ai.models.list()) names.push(m.name);
ok(names.join(',') === 'models/gemini-2.0-flash,models/text-embedding-004', 'models.list ' + names);
const one = await ai.models.get({ model });
ok(one.name === 'models/gemini-2.0-flash' && one.supportedActions?.includes('generateContent'), 'models.get');

// errors
await expectError(() => new GoogleGenAI({ apiKey: 'wrong', httpOptions: { baseUrl: geminiUrl } }).models.generateContent({ model, contents: 'x' }),
  400, 'wrong API key', (b) => b.error?.status === 'INVALID_ARGUMENT' && b.error.details?.[0]?.reason === 'API_KEY_INVALID');
await expectError(() => ai.models.generateContent({ model: 'gemini-9', contents: 'x' }), 404, 'unknown model', (b) => b.error?.status === 'NOT_FOUND');
await expectError(() => ai.models.generateContent({ model, contents: 'x', config: { temperature: 3 } }), 400, 'temperature out of range');
await expectError(() => ai.models.generateContent({ model, contents: 'x', config: { httpOptions: { headers: { 'x-mock-fault': 'rate' } } } }), 429, 'injected 429',
  (b) => b.error?.status === 'RESOURCE_EXHAUSTED' && b.error.details?.some((d) => d.retryDelay === '7s'));
await expectError(() => ai.models.generateContentStream({ model, contents: 'x', config: { httpOptions: { headers: { 'x-mock-fault': 'busy' } } } }), 503, 'injected 503 on a stream');

// The SDK retries only with httpOptions.retryOptions: then a 429 is tried `attempts` times in all before the error.
let gmAttempts = 0;
const counted = new GoogleGenAI({ apiKey: 'gm-key', httpOptions: { baseUrl: geminiUrl, fetch: (url, init) => { gmAttempts++; return fetch(url, init); } } });
await expectError(() => counted.models.generateContent({ model, contents: 'x', config: { httpOptions: { headers: { 'x-mock-fault': 'rate' }, retryOptions: { attempts: 3, initialDelay: 0.05, maxDelay: 0.1 } } } }),
  429, 'a 429 with retryOptions.attempts 3', (b) => b.error?.status === 'RESOURCE_EXHAUSTED' && gmAttempts === 3);

// Vertex AI: project and location from the client, a bearer token from google-auth
const authClient = new OAuth2Client();
authClient.setCredentials({ access_token: 'vx-token', expiry_date: Date.now() + 3600e3 });
const vx = new GoogleGenAI({ vertexai: true, project: 'proj-1', location: 'us-central1', googleAuthOptions: { authClient }, httpOptions: { baseUrl: vertexUrl } });
const v = await vx.models.generateContent({ model, contents: 'Hello Vertex' });
ok(v.text.length > 0 && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(v.createTime ?? '') && v.usageMetadata.trafficType === 'ON_DEMAND', `vertex generateContent "${v.text}" ${v.createTime}`);
let vtext = '';
for await (const c of await vx.models.generateContentStream({ model, contents: 'Stream please' })) vtext += c.text ?? '';
ok(vtext.split(' ').length === 3, `vertex stream "${vtext}"`);
const vcall = await vx.models.generateContent({ model, contents: 'Weather?', config: { tools: [{ functionDeclarations: [weather] }] } });
ok(vcall.functionCalls?.[0]?.name === 'get_weather', 'vertex function call (tool_calls: true)');
const vemb = await vx.models.embedContent({ model: 'text-embedding-005', contents: ['alpha', 'beta'], config: { outputDimensionality: 8 } });
ok(vemb.embeddings.length === 2 && vemb.embeddings[0].values.length === 8 && vemb.embeddings[0].statistics?.tokenCount === 2, 'vertex embedContent (predict)');
ok(JSON.stringify(vemb.embeddings[0].values) === JSON.stringify(emb.embeddings[0].values), 'one text, one vector on both surfaces');
const vcount = await vx.models.countTokens({ model, contents: 'hello world' });
ok(vcount.totalTokens === 3, 'vertex countTokens');
const otherAuth = new OAuth2Client();
otherAuth.setCredentials({ access_token: 'wrong-token', expiry_date: Date.now() + 3600e3 });
await expectError(() => new GoogleGenAI({ vertexai: true, project: 'proj-1', location: 'us-central1', googleAuthOptions: { authClient: otherAuth }, httpOptions: { baseUrl: vertexUrl } }).models.generateContent({ model, contents: 'x' }),
  401, 'vertex wrong token', (b) => b.error?.status === 'UNAUTHENTICATED');
await expectError(() => new GoogleGenAI({ vertexai: true, project: 'someone-else', location: 'us-central1', googleAuthOptions: { authClient }, httpOptions: { baseUrl: vertexUrl } }).models.generateContent({ model, contents: 'x' }),
  403, 'vertex other project', (b) => b.error?.status === 'PERMISSION_DENIED');
await expectError(() => vx.models.generateContent({ model, contents: 'x', config: { httpOptions: { headers: { 'x-mock-fault': 'rate' } } } }), 429, 'vertex 429',
  (b) => b.error?.message.startsWith('Resource exhausted. Please try again later.'));

if (failures > 0) { console.log(`${failures} check(s) failed`); process.exit(1); }
console.log('all @google/genai checks passed');
