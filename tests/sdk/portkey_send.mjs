// One burst of chat completions through a Portkey gateway, for tests/integration/portkey_test.sh.
//   node portkey_send.mjs GATEWAY_URL CONFIG_JSON COUNT RATE
// Sends COUNT requests at RATE a second (open loop: request i starts at i/RATE s whatever the earlier ones
// do), each with the x-portkey-config header and a 10 s timeout, waits for all of them and prints one JSON
// line: the statuses, the target Portkey says it used for each status, the retry counts it reports, and the
// wall-clock time (ms since the epoch) of the first send and of the last 2xx answer. Plain fetch, no SDK:
// an SDK would retry 429s on its own and hide what the gateway did.
const [gateway, config, countArg, rateArg] = process.argv.slice(2);
const count = Number(countArg);
const rate = Number(rateArg);
if (!gateway || !config || !(count > 0 && count <= 10000) || !(rate > 0 && rate <= 1000)) {
  console.error('usage: node portkey_send.mjs GATEWAY_URL CONFIG_JSON COUNT(1..10000) RATE(1..1000/s)');
  process.exit(2);
}

const body = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 8,
  messages: [{ role: 'user', content: 'Hello through the gateway' }],
});
const summary = { sent: 0, status: {}, by_target: {}, retry_attempts: {}, first_send_ms: 0, last_ok_ms: 0, errors: [] };

function bump(map, key) {
  map[key] = (map[key] ?? 0) + 1;
}

async function one() {
  summary.sent++;
  try {
    const res = await fetch(`${gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-portkey-config': config },
      body,
      signal: AbortSignal.timeout(10000),
    });
    await res.arrayBuffer();
    const target = res.headers.get('x-portkey-last-used-option-index') ?? 'none';
    bump(summary.status, res.status);
    bump((summary.by_target[target] ??= {}), res.status);
    bump(summary.retry_attempts, res.headers.get('x-portkey-retry-attempt-count') ?? 'none');
    if (res.status >= 200 && res.status < 300) summary.last_ok_ms = Math.max(summary.last_ok_ms, Date.now());
  } catch (e) {
    bump(summary.status, 'error');
    if (summary.errors.length < 5) summary.errors.push(String(e));
  }
}

const start = Date.now();
summary.first_send_ms = start;
const pending = [];
for (let i = 0; i < count; i++) {
  const due = start + (i * 1000) / rate;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  pending.push(one());
}
await Promise.all(pending);
console.log(JSON.stringify(summary));
