// `pnpm --filter @luneo/server build`, and the first step of `pnpm start`: compiles src/ to plain JavaScript in dist/
// with swc and the settings of server/.swcrc (legacy decorators and decorator metadata, which type-graphql and
// MikroORM read), so that production runs `node dist/main.js` without a compiler in the process. It does not
// type-check (`tsc --noEmit` is part of the tests). A build whose inputs are unchanged is kept: the stamp in dist/
// records the source files and their newest modification time, and any added, removed or edited file (or a changed
// .swcrc) rebuilds everything into a new dist/, so no output of a deleted source lingers.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformFile } from '@swc/core';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(serverDir, 'src');
const distDir = path.join(serverDir, 'dist');
const swcrcFile = path.join(serverDir, '.swcrc');
const stampFile = path.join(distDir, '.build-stamp');

const sources = fs
  .readdirSync(srcDir, { recursive: true })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .sort();
const newest = Math.max(...[swcrcFile, ...sources.map((file) => path.join(srcDir, file))].map((file) => fs.statSync(file).mtimeMs));
const stamp = JSON.stringify({ sources, newest });

const force = process.argv.includes('--force');
if (!force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) process.exit(0);

const started = Date.now();
const swcrc = JSON.parse(fs.readFileSync(swcrcFile, 'utf8'));
// Written in a gitignored folder and swapped in at the end, so an API starting meanwhile (a bench, a second start)
// never loads a half-written dist/.
const buildDir = path.join(serverDir, '.cache', `dist-build-${process.pid}`);
fs.rmSync(buildDir, { recursive: true, force: true });
await Promise.all(
  sources.map(async (file) => {
    const out = path.join(buildDir, file.replace(/\.ts$/, '.js'));
    // A source map beside each file, for `NODE_OPTIONS=--enable-source-maps` when a stack trace needs TypeScript lines;
    // not loaded by default, since Node then keeps every map in memory.
    const { code, map } = await transformFile(path.join(srcDir, file), {
      ...swcrc,
      swcrc: false,
      configFile: false,
      sourceMaps: true,
      outputPath: out,
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    fs.writeFileSync(`${out}.map`, map);
  }),
);
fs.writeFileSync(path.join(buildDir, path.basename(stampFile)), stamp);
fs.rmSync(distDir, { recursive: true, force: true });
fs.renameSync(buildDir, distDir);
console.log(`Compiled ${sources.length} files to server/dist in ${Date.now() - started} ms.`);
