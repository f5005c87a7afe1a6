// A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temporary
// directory, postgres on a free loopback port (and a Unix socket in that directory only),
// stopped by its pid and removed afterwards. initdb refuses to run as root, so as root the
// server binaries run as the `postgres` OS user (runuser), in a directory chowned to it.
//
//   const cluster = await startCluster({ fsync: false });
//   cluster.url      // postgres://ims@127.0.0.1:<port>/postgres: a superuser, trust auth
//   await cluster.stop();  await cluster.start();  // same data, same port
//   await cluster.destroy();
//
// Plain JavaScript, so that test/run.mjs can start one cluster for a whole test run.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARIES = ['initdb', 'pg_ctl', 'postgres'];

/** The directory holding initdb, pg_ctl and postgres: on PATH, else the newest /usr/lib/postgresql/<v>/bin. */
export function findPgBin() {
  const onPath = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const dir of onPath) {
    if (BINARIES.every((b) => existsSync(join(dir, b)))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = join(root, v, 'bin');
      if (BINARIES.every((b) => existsSync(join(dir, b)))) return dir;
    }
  }
  return null;
}

/** A port nothing listens on right now, on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** As root: the uid and gid of the `postgres` user, which runs the server. */
function serverUser() {
  if (!isRoot()) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root needs a `postgres` OS user to run PostgreSQL');
  return { uid, gid };
}

function command(bin, name, args) {
  const file = join(bin, name);
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

function run(bin, name, args, timeout = 60_000) {
  const [file, argv] = command(bin, name, args);
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${name} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * Starts a new cluster. `fsync: false` (tests) turns off fsync, synchronous commit and
 * full-page writes: fast, and a crash may lose it, which a throwaway cluster can afford;
 * `fsync: true` (the benchmark) keeps PostgreSQL's durable defaults.
 */
export async function startCluster({ fsync = false, port, maxConnections = 300 } = {}) {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found');
  const dir = mkdtempSync(join(tmpdir(), 'ims-pg-'));
  const owner = serverUser();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const chosenPort = port ?? (await freePort());
  let pid = null;
  const settings = [
    `-p ${chosenPort}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    `-c max_connections=${maxConnections}`,
    '-c shared_buffers=128MB',
    ...(fsync ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');

  const cluster = {
    bin,
    dir,
    port: chosenPort,
    url: `postgres://ims@127.0.0.1:${chosenPort}/postgres`,
    get pid() {
      return pid;
    },
    /** Starts the postmaster on the data directory (again) and waits until it accepts connections. */
    async start() {
      await run(bin, 'pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', settings, 'start']);
      pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return cluster;
    },
    /** Stops the postmaster by its pid (fast shutdown: open sessions are cut) and waits for it to exit. */
    async stop() {
      if (pid === null) return;
      const p = pid;
      pid = null;
      try {
        process.kill(p, 'SIGINT');
      } catch {
        return;
      }
      const until = Date.now() + 30_000;
      while (alive(p) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      if (alive(p)) process.kill(p, 'SIGKILL');
    },
    /** Synchronous stop, for an exit handler: signals the postmaster and waits briefly for it. */
    stopSync() {
      if (pid === null) return;
      const p = pid;
      pid = null;
      try {
        process.kill(p, 'SIGINT');
      } catch {
        return;
      }
      spawnSync('sh', ['-c', `for i in $(seq 200); do kill -0 ${p} 2>/dev/null || exit 0; sleep 0.05; done; kill -9 ${p}`], { stdio: 'ignore' });
    },
    async destroy() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    destroySync() {
      cluster.stopSync();
      rmSync(dir, { recursive: true, force: true });
    },
    /** The server's log, for a failure message. */
    log() {
      try {
        return readFileSync(log, 'utf8');
      } catch {
        return '';
      }
    },
  };

  try {
    await run(bin, 'initdb', ['-D', data, '-U', 'ims', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    await cluster.start();
  } catch (e) {
    cluster.destroySync();
    throw e;
  }
  return cluster;
}

/**
 * Why PostgreSQL tests cannot run here, or null when they can: IMS_TEST_PG_URL names a
 * server (test/run.mjs sets it to the cluster it started), or the binaries are installed.
 * IMS_TEST_PG=0 turns them off (a quick SQLite-only run).
 */
export function postgresUnavailableReason() {
  if (process.env.IMS_TEST_PG === '0') return 'IMS_TEST_PG=0 turns the PostgreSQL tests off';
  if (process.env.IMS_TEST_PG_URL) return null;
  if (!findPgBin()) return 'no PostgreSQL: IMS_TEST_PG_URL is not set and the server binaries (initdb, pg_ctl) are not installed';
  return null;
}
