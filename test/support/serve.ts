// `node bin/ims.mjs serve` as a child process on a free loopback port: for tests that run
// the real command, such as several hosts on one database.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { freePort } from './postgres.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface Host {
  child: ChildProcess;
  port: number;
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
    port,
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

/**
 * Whether process `pid` itself listens on TCP `port`, from /proc (its socket inodes against
 * the kernel's table of listening sockets); null where /proc cannot tell.
 */
function listensOn(pid: number | undefined, port: number): boolean | null {
  try {
    const sockets = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) sockets.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        // f[1] local address:port (hex), f[3] state (0A: listening), f[9] the socket's inode.
        if (f[3] === '0A' && parseInt(f[1]?.split(':')[1] ?? '', 16) === port && sockets.has(f[9]!)) return true;
      }
    }
    return false;
  } catch {
    return null;
  }
}

/**
 * Resolves once the host answers /health with 200; fails if it exits or `timeoutMs` passes.
 * The answer must come from the host itself: tests run side by side, and another test's
 * server can take the port between freePort() and the host's own listen; the host then
 * exits (EADDRINUSE) while /health answers 200 from the other one.
 */
export async function waitHealthy(host: Host, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let exited = false;
  void host.exited.then(() => (exited = true));
  while (Date.now() < until && !exited) {
    try {
      const r = await fetch(`${host.url}/health`);
      if (r.status === 200 && listensOn(host.child.pid, host.port) !== false) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${host.url} did not become healthy (exited: ${exited})\n${host.output()}`);
}

/** startHost and waitHealthy, on another free port when another process took the first. */
export async function startHealthyHost(env: Record<string, string>, attempts = 3): Promise<Host> {
  for (let attempt = 1; ; attempt++) {
    const host = await startHost(env);
    try {
      await waitHealthy(host);
      return host;
    } catch (e) {
      if (attempt >= attempts || !host.output().includes('EADDRINUSE')) throw e;
    }
  }
}
