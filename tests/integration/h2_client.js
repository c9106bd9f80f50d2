// tests/integration/h2_client.js — a real HTTP/2 client (Node's http2, on nghttp2) against a mock deployment:
// N chat requests one after another over h2c, opening a new session whenever the last one is going away
// (as HTTP/2 client pools do after a GOAWAY). Prints one JSON line: the statuses, the sessions opened and
// the GOAWAYs received ({session, code, last}).
//   node h2_client.js ORIGIN N
'use strict';
const http2 = require('http2');
const origin = process.argv[2];
const total = Math.min(Number(process.argv[3]) || 1, 100);
const body = JSON.stringify({model: 'm', messages: [{role: 'user', content: 'hi'}]});
let session = null;
let sessions = 0;
const goaways = [];

function connect() {
  session = http2.connect(origin);
  const n = ++sessions;
  session.on('goaway', (code, last) => goaways.push({session: n, code, last}));
  session.on('error', () => {});
}

function one() {
  return new Promise((resolve, reject) => {
    if (session === null || session.closed || session.destroyed || session.closing) connect();
    const req = session.request({':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json'});
    let status = 0;
    req.setTimeout(10000, () => reject(new Error('request timed out')));
    req.on('response', h => { status = h[':status']; });
    req.on('data', () => {});
    req.on('end', () => resolve(status));
    req.on('error', reject);
    req.end(body);
  });
}

(async () => {
  const statuses = [];
  for (let i = 0; i < total; i++) statuses.push(await one());
  console.log(JSON.stringify({statuses, sessions, goaways}));
  session.close();
})().catch(e => { console.log(JSON.stringify({error: e.message})); process.exit(1); });
