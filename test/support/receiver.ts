// A webhook receiver on 127.0.0.1 for tests: it records every delivery (headers and the raw
// body) and answers with the status `answer` chooses for it, so a test can make deliveries
// fail and then succeed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
  /** What the receiver answered. */
  status: number;
}

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** The status of the next answers (0: none); `(d, n)` sees the delivery and how many came before it. */
  answer: (d: Delivery, n: number) => number;
  /** Resolves once `check` holds for the deliveries so far; fails after `timeoutMs`. */
  until(check: (ds: Delivery[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    deliveries: [],
    answer: () => 200,
    async until(check, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      while (!check(receiver.deliveries)) {
        if (Date.now() > end) throw new Error(`the receiver did not get what was expected; it got ${receiver.deliveries.length} deliveries: ${receiver.deliveries.map((d) => d.raw).join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const d: Delivery = { headers: req.headers, raw, body: JSON.parse(raw), status: 0 };
      const status = receiver.answer(d, receiver.deliveries.length);
      d.status = status;
      receiver.deliveries.push(d);
      // 0: no answer at all, as from a receiver that hangs.
      if (status === 0) return;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'thanks' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
