// Child processes of the growth benchmark: the real server (`node bin/ims.mjs serve`) with an
// RSS sampler, the HTTP load client, and `ims verify`. Every child is registered so the
// benchmark can kill what is still running when it exits, fails or is interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { LoadResult, LoadSpec } from './growth-load.js';

export const ROOT = new URL('..', import.meta.url).pathname;

const children = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL: used on the way out, when nothing can wait). */
export function killChildren(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  children.clear();
}

function track(c: ChildProcess): ChildProcess {
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(c: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  c.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    c.once('error', reject);
    c.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MiB from /proc (VmRSS now, VmHWM its peak); null once gone. */
export function rssOf(pid: number): { rssMb: number; hwmMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

export interface ServerRun {
  url: string;
  pid: number;
  /** Stops the server with SIGTERM (its graceful stop) and reports its memory. */
  stop(): Promise<ServerStats>;
}

export interface ServerStats {
  exitCode: number | null;
  /** Highest VmRSS sampled every `sampleMs`, and the kernel's VmHWM read just before the stop. */
  maxRssMb: number;
  hwmMb: number;
  samples: number;
  startMs: number;
  output: string;
}

export async function startServer(opts: {
  databaseFile: string; token: string; sampleMs: number; logLevel: string;
}): Promise<ServerRun> {
  const port = await freePort();
  const started = performance.now();
  const child = track(spawn(process.execPath, ['bin/ims.mjs', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${opts.databaseFile}`,
      IMS_ADMIN_TOKEN: opts.token,
      LOG_LEVEL: opts.logLevel,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const finished = collect(child);
  const pid = child.pid!;
  let maxRssMb = 0;
  let samples = 0;
  let hwmMb = 0;
  const sample = () => {
    const m = rssOf(pid);
    if (!m) return;
    samples++;
    maxRssMb = Math.max(maxRssMb, m.rssMb);
    hwmMb = Math.max(hwmMb, m.hwmMb);
  };
  const sampler = setInterval(sample, opts.sampleMs);
  const url = `http://127.0.0.1:${port}`;
  // Ready when /health answers 200.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      clearInterval(sampler);
      const f = await finished;
      throw new Error(`server exited with ${f.code} before it was ready:\n${f.stdout}${f.stderr}`);
    }
    const r = await get(`${url}/health`).catch(() => null);
    if (r?.status === 200) break;
    if (Date.now() > deadline) {
      clearInterval(sampler);
      child.kill('SIGKILL');
      throw new Error('server did not answer /health within 30 s');
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  const startMs = performance.now() - started;
  sample();
  return {
    url,
    pid,
    async stop() {
      sample();
      clearInterval(sampler);
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const f = await finished;
      clearTimeout(kill);
      return { exitCode: f.code, maxRssMb, hwmMb, samples, startMs, output: (f.stdout + f.stderr).slice(-4000) };
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One GET on a keep-alive connection; the body as text. */
export function get(url: string, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

export function closeAgent(): void {
  agent.destroy();
}

export async function runLoadProcess(spec: LoadSpec): Promise<LoadResult> {
  const child = track(spawn(process.execPath, ['--import', 'tsx', 'bench/growth-load.ts', JSON.stringify(spec)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const f = await collect(child);
  if (f.code !== 0) throw new Error(`load client exited with ${f.code ?? f.signal}: ${f.stderr}`);
  return JSON.parse(f.stdout.trim().split('\n').at(-1)!) as LoadResult;
}

/** `node bin/ims.mjs verify` on the database file. */
export async function runVerify(databaseFile: string): Promise<{ exitCode: number | null; output: string; seconds: number }> {
  const t0 = performance.now();
  const child = track(spawn(process.execPath, ['bin/ims.mjs', 'verify'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `sqlite:${databaseFile}`, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const f = await collect(child);
  return { exitCode: f.code, output: (f.stdout + f.stderr).trim().slice(-2000), seconds: (performance.now() - t0) / 1000 };
}
