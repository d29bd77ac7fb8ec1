// The dashboard's production server: `node server.mjs [build/server/index.js]` (what `pnpm start`, the benchmark and the
// browser tests run). remix-serve's production path, minus what a page request paid for nothing there: static files are
// looked up only under the build's assets path and for the public files the build holds (remix-serve stat'ed two
// folders for every page), and responses are compressed at zlib's level 1 instead of its default 6.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequestHandler } from '@remix-run/express';
import { installGlobals } from '@remix-run/node';
import compression from 'compression';
import express from 'express';
import morgan from 'morgan';
import { stopGracefully } from './stop-gracefully.mjs';

process.env.NODE_ENV ??= 'production';
const webDir = path.dirname(fileURLToPath(import.meta.url));
const build = await import(pathToFileURL(path.resolve(process.argv[2] ?? 'build/server/index.js')).href);
installGlobals({ nativeFetch: build.future.v3_singleFetch });

// The build's client folder: hashed assets under `assets/`, and the files Vite copied from public/ at its top.
const clientDir = path.resolve(webDir, build.assetsBuildDirectory);
const publicFiles = fs
  .readdirSync(clientDir, { withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => `${build.publicPath}${entry.name}`);

const app = express();
app.disable('x-powered-by');
// Level 1, zlib's fastest: the orders page (38.6 KB of HTML) gzips to 9.4 KB instead of level 6's 8.5 KB, for
// 0.09–0.14 instead of 0.34 ms of CPU.
app.use(compression({ level: 1 }));
app.use(`${build.publicPath}assets`, express.static(path.join(clientDir, 'assets'), { immutable: true, maxAge: '1y', index: false }));
if (publicFiles.length > 0) app.get(publicFiles, express.static(clientDir, { maxAge: '1h', index: false }));
// One line per request on stdout, as remix-serve printed them (static files excepted).
app.use(morgan('tiny'));
app.all('*', createRequestHandler({ build, mode: process.env.NODE_ENV }));

const port = Number(process.env.PORT ?? 3000);
const onListen = () => console.log(`[luneo-web] http://${process.env.HOST ?? 'localhost'}:${port}`);
const server = process.env.HOST ? app.listen(port, process.env.HOST, onListen) : app.listen(port, onListen);

// Stop accepting connections and exit once the requests in flight have been answered, without waiting for clients'
// idle keep-alive connections to time out.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () =>
    stopGracefully(server, (error) => {
      if (error) console.error(error);
    }),
  );
}
