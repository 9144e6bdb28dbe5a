/** Job helpers for tests: what was enqueued, and running a job's handler here as a worker would. */
import type { Database } from '../db/client.js';
import type { JobContext, JobDefinition } from '../jobs/queue.js';
import type { Runtime } from '../runtime.js';

/** Jobs enqueued under a name (pg-boss keeps them in its own tables, on both databases). */
export async function queuedJobs<T>(database: Database, name: string): Promise<T[]> {
  const r = await database.query<{ data: T }>(`SELECT data FROM pgboss.job WHERE name = $1 ORDER BY created_on`, [name]);
  return r.rows.map((row) => row.data);
}

/** Runs a job's handler in this process with the runtime's services, as a worker would (first attempt). */
export async function runJob<T>(runtime: Runtime, job: JobDefinition<T>, data: T): Promise<void> {
  const ctx: JobContext = { ...runtime, retryCount: 0 };
  await job.handler(data, ctx);
}
