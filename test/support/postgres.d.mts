// Types of postgres.mjs, for the TypeScript tests and benchmarks.
export interface Cluster {
  readonly bin: string;
  readonly dir: string;
  readonly port: number;
  /** An admin (superuser) URL on the `postgres` database. */
  readonly url: string;
  readonly pid: number | null;
  start(): Promise<Cluster>;
  stop(): Promise<void>;
  stopSync(): void;
  destroy(): Promise<void>;
  destroySync(): void;
  log(): string;
}

export function findPgBin(): string | null;
export function freePort(): Promise<number>;
export function startCluster(options?: { fsync?: boolean; port?: number; maxConnections?: number }): Promise<Cluster>;
export function postgresUnavailableReason(): string | null;
