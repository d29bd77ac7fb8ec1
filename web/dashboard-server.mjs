// The dashboard's HTTP server, run by server.mjs in each of its processes (what `pnpm start`, the benchmark and the
// browser tests run). remix-serve's production path, minus what a page request paid for nothing there: static files are
// looked up only under the build's assets path and for the public files the build holds (remix-serve stat'ed two
// folders for every page), responses are compressed at zlib's level 1 instead of its default 6, and page requests skip
// Express (below).
import cluster from 'node:cluster';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createReadableStreamFromReadable, createRequestHandler, installGlobals, writeReadableStreamToWritable } from '@remix-run/node';
import compression from 'compression';
import express from 'express';
import morgan from 'morgan';
import { stopOnSignals } from './stop-gracefully.mjs';

process.env.NODE_ENV ??= 'production';
const webDir = path.dirname(fileURLToPath(import.meta.url));
const build = await import(pathToFileURL(path.resolve(process.argv[2] ?? 'build/server/index.js')).href);
installGlobals({ nativeFetch: build.future.v3_singleFetch });

// The build's client folder: hashed assets under `assets/`, and the files Vite copied from public/ at its top.
const clientDir = path.resolve(webDir, build.assetsBuildDirectory);
const assetsPath = `${build.publicPath}assets`;
const publicFiles = fs
  .readdirSync(clientDir, { withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => `${build.publicPath}${entry.name}`);

// Level 1, zlib's fastest: the orders page (38.6 KB of HTML) gzips to 9.4 KB instead of level 6's 8.5 KB, for
// 0.09–0.14 instead of 0.34 ms of CPU.
const compress = compression({ level: 1 });
// One line per request on stdout, as remix-serve printed them (static files excepted).
const logRequest = morgan('tiny');
const handleRemix = createRequestHandler(build, process.env.NODE_ENV);

/**
 * What @remix-run/express's handler does, without Express: the same Request (URL, headers, body, a signal aborted when
 * the connection closes before the response is finished) and the same response (status, headers, body).
 */
async function remix(req, res) {
  const controller = new AbortController();
  const init = { method: req.method, headers: createRemixHeaders(req.headers), signal: controller.signal };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    init.body = createReadableStreamFromReadable(req);
    init.duplex = 'half';
  }
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const response = await handleRemix(new Request(requestUrl(req), init), {});
  res.statusCode = response.status;
  res.statusMessage = response.statusText;
  for (const [key, value] of response.headers.entries()) res.appendHeader(key, key === 'content-type' ? withCharset(value) : value);
  if (/text\/event-stream/i.test(response.headers.get('Content-Type') ?? '')) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

/** Express's `res.append` adds the charset its MIME table gives (UTF-8 for text and JSON) to a Content-Type without one. */
function withCharset(type) {
  return /;\s*charset\s*=/i.test(type) || !/^\s*(text\/|application\/(javascript|json))/i.test(type) ? type : `${type}; charset=utf-8`;
}

/** The request's headers as @remix-run/express copies them: each value of a repeated header (set-cookie) appended. */
function createRemixHeaders(requestHeaders) {
  const headers = new Headers();
  for (const [key, values] of Object.entries(requestHeaders)) {
    if (!values) continue;
    if (Array.isArray(values)) for (const value of values) headers.append(key, value);
    else headers.set(key, values);
  }
  return headers;
}

/** The URL @remix-run/express builds without `trust proxy`: http, the Host's name, the forwarded or the Host's port. */
function requestUrl(req) {
  const host = req.headers.host ?? '';
  const nameEnd = host.indexOf(':', host.startsWith('[') ? host.indexOf(']') + 1 : 0);
  const hostname = nameEnd === -1 ? host : host.slice(0, nameEnd);
  const portOf = (value) => Number.parseInt(typeof value === 'string' ? (value.split(':')[1] ?? '') : '', 10);
  const forwardedPort = portOf(req.headers['x-forwarded-host']);
  const hostPort = portOf(host);
  const port = Number.isSafeInteger(forwardedPort) ? forwardedPort : Number.isSafeInteger(hostPort) ? hostPort : '';
  return `http://${hostname}${port ? `:${port}` : ''}${req.url}`;
}

/** An error Remix did not turn into a response (it answers the app's own errors itself): logged, then a bare 500. */
function fail(req, res, error) {
  console.error(error);
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('Internal Server Error');
}

/** A page or data request: compression, the log line, then Remix. */
function page(req, res) {
  compress(req, res, (error) => {
    if (error) return fail(req, res, error);
    logRequest(req, res, (error2) => {
      if (error2) return fail(req, res, error2);
      remix(req, res).catch((error3) => fail(req, res, error3));
    });
  });
}

// Static files go through Express and express.static; a file missing there falls through to Remix (its 404 page).
const app = express();
app.disable('x-powered-by');
app.use(compression({ level: 1 }));
app.use(assetsPath, express.static(path.join(clientDir, 'assets'), { immutable: true, maxAge: '1y', index: false }));
if (publicFiles.length > 0) app.get(publicFiles, express.static(clientDir, { maxAge: '1h', index: false }));
app.use(logRequest);
app.all('*', (req, res) => remix(req, res).catch((error) => fail(req, res, error)));

/**
 * Page requests skip Express: its request setup (prototype swap, query parsing, the router's layer matching) was a
 * measurable share of each page's CPU, and Remix reads none of it.
 */
const publicSet = new Set(publicFiles);
function isStatic(url) {
  const pathname = url.split('?', 1)[0];
  return pathname === assetsPath || pathname.startsWith(`${assetsPath}/`) || publicSet.has(pathname);
}
const server = http.createServer((req, res) => (isStatic(req.url) ? app(req, res) : page(req, res)));

const port = Number(process.env.PORT ?? 3000);
// In a cluster the primary says it once (server.mjs).
const onListen = () => cluster.isPrimary && console.log(`[luneo-web] http://${process.env.HOST ?? 'localhost'}:${port}`);
if (process.env.HOST) server.listen(port, process.env.HOST, onListen);
else server.listen(port, onListen);

// Stop accepting connections and exit once the requests in flight have been answered, without waiting for clients'
// idle keep-alive connections to time out.
stopOnSignals(server);
