/**
 * The request a piece of work belongs to, across awaits: set for each HTTP request (app.ts) and for each job
 * run (jobs/queue.ts), so that a job enqueued while serving a request carries that request's id, its logs
 * say `reqId` like the request's, and an error reported to Sentry names it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

export function runWithRequestId<T>(requestId: string | undefined, fn: () => T): T {
  return requestId ? storage.run({ requestId }, fn) : fn();
}
