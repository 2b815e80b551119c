// Dredd hooks for swagger.yaml against a fresh demo server (contract/dredd.sh
// starts one). They supply what a spec cannot: the demo credentials, a test
// user with a plate and a linked account, the ids the server hands out, and
// for each documented error status a request that provokes it. Error
// statuses Dredd skips by default are run where a request can provoke them;
// 503 (the database down), 500 and 501 (no demo system lacks a link page)
// cannot be, and stay skipped.
const hooks = require('hooks');

const KEY = 'demo-access-key';
const SERVER_TOKEN = 'demo-server-token';
const state = { base: '', test: '', real: '', gate: '', started: '' };

async function call(method, path, body, jwt) {
  const headers = { 'Content-Type': 'application/json' };
  if (jwt) headers.Authorization = `Bearer ${jwt}`;
  const sep = path.includes('?') ? '&' : '?';
  const res = await fetch(`${state.base}/v1/users${path}${sep}access_key=${KEY}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

// Dredd 14 validates bodies with Ajv 6, which rejects the OpenAPI formats
// int32 and int64 as unknown. The same constraint in plain JSON Schema is a
// range, so each such format becomes its bounds (tighter bounds stay): the
// check is as strict as the spec, and swagger.yaml is untouched.
const RANGES = { int32: [-2147483648, 2147483647], int64: [-9223372036854775808, 9223372036854775807] };
function formatsAsRanges(schema) {
  if (Array.isArray(schema)) return schema.forEach(formatsAsRanges);
  if (!schema || typeof schema !== 'object') return;
  if (RANGES[schema.format] && (schema.type === 'integer' || schema.type === 'number')) {
    const [lo, hi] = RANGES[schema.format];
    if (schema.minimum === undefined || schema.minimum < lo) schema.minimum = lo;
    if (schema.maximum === undefined || schema.maximum > hi) schema.maximum = hi;
    delete schema.format;
  }
  Object.values(schema).forEach(formatsAsRanges);
}

hooks.beforeAll(async (transactions, done) => {
  try {
    const t = transactions[0];
    state.base = `${t.protocol}//${t.host}:${t.port}`;
    state.test = (await call('POST', '/testing/create_jwt', { email: 'dredd@example.com', name: 'Dredd' })).jwt_token;
    state.real = (await call('POST', '/create_jwt', { external_uid: 'dredd-real', email: 'real@example.com' }, SERVER_TOKEN)).jwt_token;
    await call('PUT', '/user/current/vehicle', { license_plate: { text: 'abc123', country: 'us' } }, state.test);
    await call('POST', '/testing/user/current/transactable_systems', { system_id: 'gatepark', linked_account: true }, state.test);
    // One ended session (the x-example session_id 1), so that a page of one
    // is full and carries Link rel="next".
    const first = await call('POST', '/downtown-garage/session', null, state.test);
    await call('PUT', `/downtown-garage/session/${first.id}/end`, null, state.test);
    done();
  } catch (e) {
    done(e);
  }
});

// The operation and status of a transaction: "get_session 404".
function key(t) {
  const name = t.name.split(' > ');
  return { status: t.expected.statusCode, path: t.origin.resourceName.replace(/^\/v1\/users/, ''), method: t.request.method, name };
}

function setPath(t, path) {
  t.fullPath = path;
  t.request.uri = path;
}

function withQuery(t, params) {
  const u = new URL(t.fullPath, 'http://x');
  for (const [k, v] of Object.entries(params)) {
    if (v === null) u.searchParams.delete(k);
    else u.searchParams.set(k, v);
  }
  setPath(t, u.pathname + u.search);
}

function replaceSegment(t, from, to) {
  const u = new URL(t.fullPath, 'http://x');
  u.pathname = u.pathname.split('/').map((s) => (s === from ? to : s)).join('/');
  setPath(t, u.pathname + u.search);
}

// provoke changes a request so that it gets the transaction's status.
const provoke = {
  400: (t, op) => {
    if (t.request.body) t.request.body = '{"';
    else if (op.path.includes('{session_id}')) replaceSegment(t, '1', 'one');
    else if (op.path.endsWith('link_account')) withQuery(t, { redirect_uri: 'https://evil.example/' });
    else if (op.path.endsWith('/quote')) withQuery(t, { duration_m: 'ninety' });
    else withQuery(t, { limit: 'ten' });
  },
  401: (t) => {
    delete t.request.headers.Authorization;
    withQuery(t, { access_key: null, jwt: null });
  },
  403: (t) => { t.request.headers.Authorization = `Bearer ${state.real}`; },
  404: (t, op) => {
    if (op.path.includes('{webhook_id}')) replaceSegment(t, 'backend', 'nope');
    else if (op.path === '/webhooks/deliveries') withQuery(t, { webhook_id: 'nope' });
    else if (op.path.includes('simulate_redemption')) replaceSegment(t, '1', '999');
    else if (op.path.includes('{location_id}')) replaceSegment(t, 'downtown-garage', 'nowhere');
    else if (op.path.endsWith('link_account')) withQuery(t, { system_id: 'nosuch' });
    else t.request.body = JSON.stringify({ system_id: 'nosuch', linked_account: true });
  },
  413: (t) => { t.request.body = JSON.stringify({ padding: 'x'.repeat(70000) }); },
  415: (t) => {
    t.request.headers['Content-Type'] = 'text/plain';
    t.request.body = 'x';
  },
  422: (t, op) => {
    if (op.path.includes('{webhook_id}')) replaceSegment(t, 'backend', 'w'.repeat(65));
    else if (op.path.endsWith('link_account')) withQuery(t, { system_id: 's'.repeat(65) });
    else if (op.path.includes('{session_id}') && !op.path.includes('simulate')) replaceSegment(t, '1', '0');
    else if (op.path.endsWith('/quote')) replaceSegment(t, 'downtown-garage', 'harbor-street');
    else if (op.method === 'GET') withQuery(t, { limit: '0' });
    else if (op.path === '/{location_id}/session') t.request.body = JSON.stringify({ resource_id: 'x'.repeat(65) });
    else if (op.path.includes('simulate_redemption')) t.request.body = JSON.stringify({ duration_m: -1 });
    else if (op.path.includes('vehicle')) t.request.body = JSON.stringify({ license_plate: { text: 'abc123', country: 'usa' } });
    else t.request.body = '{}';
  },
  409: () => {}, // the flow's state provokes it (see below)
};

hooks.afterEach((t, done) => {
  const op = key(t);
  if (op.path === '/{location_id}/session' && op.method === 'POST' && op.status === '200' && t.real && t.real.body) {
    state.started = String(JSON.parse(t.real.body).id);
  }
  done();
});

hooks.beforeEach(async (t, done) => {
  try {
    const op = key(t);
    if (t.expected.bodySchema) {
      const schema = typeof t.expected.bodySchema === 'string' ? JSON.parse(t.expected.bodySchema) : t.expected.bodySchema;
      formatsAsRanges(schema);
      t.expected.bodySchema = JSON.stringify(schema);
    }
    // Credentials, as each operation's security says.
    withQuery(t, { access_key: KEY });
    if (op.path.endsWith('link_account')) withQuery(t, { jwt: state.test });
    else if (op.path === '/create_jwt' || op.path === '/events' || op.path.includes('webhooks')) t.request.headers.Authorization = `Bearer ${SERVER_TOKEN}`;
    else if (!['/systems', '/testing/create_jwt'].includes(op.path)) t.request.headers.Authorization = `Bearer ${state.test}`;

    // Gate sessions: end_session's 409 needs one, simulate_redemption works on it.
    const gateOp = op.path.includes('simulate_redemption') || (op.path.endsWith('/end') && op.status === '409');
    if (gateOp) {
      if (!state.gate) state.gate = String((await call('POST', '/riverside-lot/session', null, state.test)).id);
      replaceSegment(t, 'downtown-garage', 'riverside-lot');
      if (op.status !== '404') replaceSegment(t, '1', state.gate);
    }

    // The list operations' 200: a page of one, so that more may follow.
    if (op.status === '200' && op.method === 'GET' && op.path.endsWith('/session')) withQuery(t, { limit: '1', before_id: null });
    // end_session's 200 ends the session post_session's 200 started.
    if (op.status === '200' && op.path.endsWith('/end')) replaceSegment(t, '1', state.started);
    // A 302 has no body, so no Content-Type, whatever `produces` says.
    if (op.status === '302') delete t.expected.headers['Content-Type'];

    // The demo catalog has no webhook endpoint to ping (the handler tests
    // ping one): its 200 stays skipped, and only 404 and 422 are provoked.
    const ping = op.path.includes('{webhook_id}');
    if (ping && op.status === '200') t.skip = true;
    // So the list's 200 is every endpoint's (none in the demo), not the x-example's.
    if (op.path === '/webhooks/deliveries' && op.status === '200') withQuery(t, { webhook_id: null });

    if (op.status >= '300') {
      // create_test_jwt's and ping_webhook's 403 need a non-sandbox partner, which the demo lacks.
      const noSandbox = op.status === '403' && (op.path === '/testing/create_jwt' || ping);
      const how = op.status === '302' ? () => {} : noSandbox ? null : provoke[op.status];
      if (how) {
        t.skip = false;
        how(t, op);
      }
    }
    done();
  } catch (e) {
    done(e);
  }
});
