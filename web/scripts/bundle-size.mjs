/**
 * JavaScript shipped for the orders page (entry, root, shell, orders route and their chunks), gzipped.
 * Run after `pnpm build`: `pnpm size`. Budget (issue 4): ≤ 200 KB gzipped; measured, not asserted in tests.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const build = await import(path.resolve('build/server/index.js'));
const a = build.assets;
const files = new Set([a.entry.module, ...a.entry.imports]);
for (const id of ['root', 'routes/_app', 'routes/_app.orders._index']) {
  const r = a.routes[id];
  files.add(r.module);
  (r.imports ?? []).forEach((f) => files.add(f));
}
let raw = 0, gz = 0;
for (const f of files) {
  const b = fs.readFileSync(path.join('build/client', f));
  raw += b.length;
  gz += zlib.gzipSync(b, { level: 9 }).length;
}
console.log(`orders page JS: ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped, ${files.size} files`);
