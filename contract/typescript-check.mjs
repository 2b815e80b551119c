// openapi-typescript must type Error.code as the union of the enum's codes.
// Usage: node typescript-check.mjs ../api/openapi.yaml
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';

const specPath = process.argv[2] || '../api/openapi.yaml';
const dir = mkdtempSync(join(tmpdir(), 'coord-ts-'));
const out = join(dir, 'coord.d.ts');
// Run outside contract/: its redocly.yaml is the strict lint, which
// openapi-typescript would apply without the lint's listed exception.
execFileSync(new URL('./node_modules/.bin/openapi-typescript', import.meta.url).pathname, [resolve(specPath), '-o', out], { stdio: 'inherit', cwd: dir });

const ts = readFileSync(out, 'utf8');
rmSync(dir, { recursive: true });
const errorType = ts.slice(ts.indexOf('        Error: {'));
const m = errorType.match(/\bcode: ((?:"[a-z_]+"(?: \| )?)+);/);
const want = yaml.load(readFileSync(specPath, 'utf8')).components.schemas.Error.properties.code.enum;
const got = m ? [...m[1].matchAll(/"([a-z_]+)"/g)].map((x) => x[1]) : [];
if (got.length === 0 || got.join() !== want.join()) {
  console.error(`openapi-typescript types Error.code as ${m ? m[1] : 'no union'}; want the union of ${want.join(', ')}`);
  process.exit(1);
}
console.log(`openapi-typescript types Error.code as the union of its ${got.length} codes`);
