// What the SQLite store's worker threads (the checkpointer, the reader thread) share.
import type { Worker } from 'node:worker_threads';

/** Asks a worker to close its connection and exit, and waits; ends it after 5 s if it does not. */
export async function closeWorker(worker: Worker): Promise<void> {
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.postMessage('close');
  const force = setTimeout(() => void worker.terminate(), 5000);
  await exited;
  clearTimeout(force);
}
