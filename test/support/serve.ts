// `node bin/ims.mjs serve` as a child process on a free loopback port: for tests that run
// the real command, such as several hosts on one database.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './postgres.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface Host {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment of a child: ours without any ims settings, plus `extra`. */
export function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['IMS_ADMIN_TOKEN', 'DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL']) delete env[k];
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

export async function startHost(env: Record<string, string>): Promise<Host> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/ims.mjs', 'serve'], {
    cwd: ROOT, env: envWith({ PORT: String(port), HOST: '127.0.0.1', ...env }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    async stop(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Resolves once the host answers /health with 200; fails if it exits or `timeoutMs` passes. */
export async function waitHealthy(host: Host, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let exited = false;
  void host.exited.then(() => (exited = true));
  while (Date.now() < until && !exited) {
    try {
      const r = await fetch(`${host.url}/health`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${host.url} did not become healthy (exited: ${exited})\n${host.output()}`);
}
