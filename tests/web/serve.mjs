// Stand-in for the admin listener's dashboard hook (until the proxy serves huddle::web's assets
// itself): serves the built dashboard (the same bytes huddle_web embeds; web_test checks that)
// and forwards every other request to huddle's admin listener. Loopback only.
// Usage: node serve.mjs DIST_DIR ADMIN_URL  -> prints "port N" once listening.
import { createServer, request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const [dist, admin] = process.argv.slice(2);
const target = new URL(admin);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8' };
const config = JSON.stringify({ version: 1, title: 'huddle', proxy: true, engine: false, engine_stream: false, tasks_url: process.env.TASKS_URL || '', token_required: false });

const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/' || path === '/ui' || path.startsWith('/ui/')) {
    if (path === '/ui/config.json') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(config); return; }
    const rel = path === '/' || path === '/ui' || path === '/ui/' ? 'index.html' : normalize(path.slice(4));
    if (rel.startsWith('..')) { res.writeHead(404); res.end(); return; }
    try {
      const body = await readFile(join(dist, rel));
      res.writeHead(200, { 'content-type': TYPES[extname(rel)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such dashboard file\n');
    }
    return;
  }
  const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on('error', (e) => { res.writeHead(502, { 'content-type': 'text/plain' }); res.end(`admin: ${e.message}\n`); });
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
