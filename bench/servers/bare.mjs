// The HTTP limit of bench/http.ts: a bare node:http JSON server, nothing else. A POST has its
// body read and parsed as JSON and answers 201 with a small JSON object; a GET answers 200
// with a small JSON object. Listens on 127.0.0.1:$PORT; SIGTERM closes it.
import http from 'node:http';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error('set PORT');

function send(res, status, body) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' || req.method === 'HEAD') {
    send(res, 200, { data: { ok: true, path: req.url } });
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      send(res, 400, { error: 'bad_request' });
      return;
    }
    send(res, 201, { data: { ok: true, itemId: body?.itemId ?? null } });
  });
});

server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
