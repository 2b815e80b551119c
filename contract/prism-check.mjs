// Mock check: `prism mock swagger.yaml` must answer every operation with
// its documented example, and each documented error status (asked for with
// `Prefer: code=N`) with that status's example and a code the response
// lists. Usage: node prism-check.mjs ../swagger.yaml
import { spawn } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { loadSpec, operations, request, example } from './spec.mjs';

const specPath = process.argv[2] || '../swagger.yaml';
const port = Number(process.env.PRISM_PORT || 4010);
const spec = loadSpec(specPath);

const prism = spawn(new URL('./node_modules/.bin/prism', import.meta.url).pathname,
  ['mock', '--port', String(port), '--host', '127.0.0.1', '--errors', 'false', specPath],
  { stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
prism.stdout.on('data', (d) => { log += d; });
prism.stderr.on('data', (d) => { log += d; });

async function waitReady() {
  for (let i = 0; i < 120; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`prism did not start:\n${log}`);
}

const failures = [];
let checked = 0;

async function check(o, status, response) {
  const req = request(spec, o, ''); // prism mock serves the paths without the base path
  const headers = { ...req.headers };
  if (status) headers.Prefer = `code=${status}`;
  const res = await fetch(`http://127.0.0.1:${port}${req.url}`, { method: req.method, headers, body: req.body, redirect: 'manual' });
  const text = await res.text();
  const want = status || Object.keys(o.responses).filter((c) => /^[23]\d\d$/.test(c)).sort()[0];
  const where = `${o.id} ${status ? `Prefer code=${status}` : '(no Prefer)'}`;
  checked++;
  if (String(res.status) !== want) {
    failures.push(`${where}: status ${res.status}, want ${want}: ${text.slice(0, 200)}`);
    return;
  }
  response = response || o.responses[want];
  if (!response.schema) {
    const location = response.headers && response.headers.Location && response.headers.Location.default;
    if (res.headers.get('location') !== location) failures.push(`${where}: Location ${res.headers.get('location')}, want ${location}`);
    return;
  }
  let body;
  try { body = JSON.parse(text); } catch { failures.push(`${where}: body is not JSON: ${text.slice(0, 200)}`); return; }
  if (!isDeepStrictEqual(body, example(response))) {
    failures.push(`${where}: body ${text.slice(0, 300)} is not the example`);
  }
  if (Number(want) >= 400 && !(response['x-error-codes'] || []).includes(body.code)) {
    failures.push(`${where}: code ${body.code} is not among ${response['x-error-codes']}`);
  }
}

try {
  await waitReady();
  for (const o of operations(spec)) {
    await check(o);
    for (const [status, response] of Object.entries(o.responses)) {
      if (/^[45]\d\d$/.test(status)) await check(o, status, response);
    }
  }
} catch (e) {
  failures.push(String(e && e.stack || e));
} finally {
  prism.kill();
}
if (failures.length) {
  console.error(`prism mock check: ${failures.length} of ${checked} answers wrong:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`prism mock check: all ${checked} answers are the documented examples`);
