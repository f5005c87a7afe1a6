// The load generator of bench/http.ts, in its own process: autocannon, driven over the IPC
// channel of child_process.fork(). Plain JavaScript, no tsx, so it costs only what
// autocannon costs.
//
// Message in:  { type: 'run', id, job } with job = { url, method, path, headers,
//                connections, warmupMs, durationMs, bodies?: string[], paths?: string[],
//                requests?: Array<{ method, path, body? }> }
// Messages out: { type: 'phase', id, phase: 'measure' | 'drain' } when the measured window
//                opens and closes (the parent samples the server's CPU then), and
//                { type: 'result', id, result } or { type: 'error', id, message }.
//
// One autocannon run per job, on keep-alive connections, one request in flight on each:
// warm-up, then the measured window, then a drain. Bodies (or paths, or whole requests)
// rotate through the job's list with one counter shared by every connection, so load spreads
// over the keys. At the end of the window no request is abandoned: each connection may
// finish the request it has in flight and then stops (autocannon's per-connection
// responseMax is set to what it has sent), so every request the server took has its answer
// counted. ops/s and latency come from the answers received inside the window; the counts
// from every phase.
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function emptyCounts() {
  return { ok2xx: 0, non2xx: 0, statusCodes: {} };
}

function runJob(id, job) {
  return new Promise((resolve, reject) => {
    const clients = [];
    const variants = job.bodies ?? job.paths ?? job.requests ?? null;
    let k = 0;
    const setupRequest = variants === null ? undefined : (req) => {
      const v = variants[k++ % variants.length];
      if (job.bodies) req.body = v;
      else if (job.paths) req.path = v;
      // Headers of its own: autocannon writes a body's Content-Length into the headers object,
      // which a GET after a POST would otherwise carry.
      else Object.assign(req, v, { headers: { ...job.headers } });
      return req;
    };
    const counts = { warmup: emptyCounts(), measure: emptyCounts(), drain: emptyCounts() };
    let phase = 'warmup';
    let latencies = new Float64Array(1 << 16);
    let n = 0;
    let errors = 0;
    let bytes = 0;
    let measureStart = 0;
    let measureEnd = 0;
    let cpuStart = null;
    let cpu = null;
    let guard = null;

    const instance = autocannon({
      url: job.url,
      connections: job.connections,
      pipelining: 1,
      // Stopped by this script (see drain), not by autocannon's own clock.
      duration: 3600,
      sampleInt: 50,
      timeout: 10,
      headers: job.headers ?? {},
      requests: [{ method: job.method, path: job.path, ...(setupRequest ? { setupRequest } : {}) }],
      setupClient: (client) => clients.push(client),
    }, (err, result) => {
      clearTimeout(guard);
      if (err) return reject(err);
      const sorted = latencies.subarray(0, n).sort();
      const seconds = (measureEnd - measureStart) / 1000;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += sorted[i];
      resolve({
        seconds,
        opsPerSec: counts.measure.ok2xx / seconds,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        meanMs: n ? sum / n : 0,
        maxMs: n ? sorted[n - 1] : 0,
        measured: n,
        bytesPerResponse: n ? bytes / n : 0,
        counts,
        total2xx: counts.warmup.ok2xx + counts.measure.ok2xx + counts.drain.ok2xx,
        totalNon2xx: counts.warmup.non2xx + counts.measure.non2xx + counts.drain.non2xx,
        errors: Math.max(errors, result.errors ?? 0),
        timeouts: result.timeouts ?? 0,
        loadCpuPercent: cpu,
      });
    });

    instance.on('response', (_client, statusCode, resBytes, responseTime) => {
      const c = counts[phase];
      if (statusCode >= 200 && statusCode < 300) c.ok2xx++;
      else c.non2xx++;
      c.statusCodes[statusCode] = (c.statusCodes[statusCode] ?? 0) + 1;
      if (phase === 'measure') {
        if (n === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2);
          bigger.set(latencies);
          latencies = bigger;
        }
        latencies[n++] = responseTime;
        bytes += resBytes;
      }
    });
    instance.on('reqError', () => {
      errors++;
    });

    setTimeout(() => {
      phase = 'measure';
      measureStart = performance.now();
      cpuStart = process.cpuUsage();
      process.send({ type: 'phase', id, phase: 'measure' });
      setTimeout(() => {
        phase = 'drain';
        measureEnd = performance.now();
        const used = process.cpuUsage(cpuStart);
        cpu = ((used.user + used.system) / 1000 / (measureEnd - measureStart)) * 100;
        process.send({ type: 'phase', id, phase: 'drain' });
        // Let each connection finish the request in flight, then stop.
        for (const client of clients) client.responseMax = Math.max(1, client.reqsMade);
        guard = setTimeout(() => instance.stop(), 15_000);
      }, job.durationMs);
    }, job.warmupMs);
  });
}

process.on('message', (msg) => {
  if (msg?.type === 'run') {
    runJob(msg.id, msg.job).then(
      (result) => process.send({ type: 'result', id: msg.id, result }),
      (e) => process.send({ type: 'error', id: msg.id, message: String(e?.stack ?? e) }),
    );
  } else if (msg?.type === 'exit') {
    process.disconnect();
  }
});
// The parent went away: nothing left to do.
process.on('disconnect', () => process.exit(0));
