// Reads swagger.yaml for the contract checks: each operation with its
// resolved parameters and responses, and a request built from the spec's
// own examples (x-example for path and query parameters, the schemas'
// property examples for bodies).
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';

export function loadSpec(path) {
  return yaml.load(readFileSync(path, 'utf8'));
}

function resolve(spec, obj) {
  if (obj && obj.$ref) {
    const parts = obj.$ref.replace(/^#\//, '').split('/');
    return resolve(spec, parts.reduce((o, k) => o[k], spec));
  }
  return obj;
}

// sample builds a value for a schema from its examples.
export function sample(spec, schema) {
  schema = resolve(spec, schema);
  if (schema.example !== undefined) return schema.example;
  if (schema.type === 'object' || schema.properties) {
    const out = {};
    for (const [name, prop] of Object.entries(schema.properties || {})) {
      const v = sample(spec, prop);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }
  if (schema.type === 'array') return [sample(spec, schema.items)];
  if (schema.enum) return schema.enum[0];
  return undefined;
}

export function operations(spec) {
  const ops = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'post', 'put', 'delete', 'patch']) {
      const op = item[method];
      if (!op) continue;
      const params = [...(item.parameters || []), ...(op.parameters || [])].map((p) => resolve(spec, p));
      const responses = Object.fromEntries(Object.entries(op.responses).map(([k, v]) => [k, resolve(spec, v)]));
      ops.push({ id: op.operationId, method: method.toUpperCase(), path, op, params, responses });
    }
  }
  return ops;
}

// request is the operation's example request, with the demo's credentials.
export function request(spec, o, prefix = spec.basePath) {
  let path = o.path;
  const query = new URLSearchParams({ access_key: 'demo-access-key' });
  const headers = { Authorization: 'Bearer demo-token' };
  let body;
  for (const p of o.params) {
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(p['x-example'])));
    if (p.in === 'query' && p['x-example'] !== undefined) query.set(p.name, String(p['x-example']));
    if (p.in === 'body') {
      body = JSON.stringify(sample(spec, p.schema));
      headers['Content-Type'] = 'application/json';
    }
  }
  return { url: `${prefix}${path}?${query}`, method: o.method, headers, body };
}

export function example(response) {
  return response.examples && response.examples['application/json'];
}
