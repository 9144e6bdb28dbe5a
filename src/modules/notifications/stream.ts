/**
 * Live inbox updates over Server-Sent Events (GET /api/notifications/stream/), whichever app process the client
 * reached. `notify` raises `pg_notify('sv_notifications', {u, id})` in the transaction that wrote the
 * notification; PostgreSQL delivers it at commit to every listening session, so each app process keeps one
 * LISTEN connection and forwards to its own clients (behind a load balancer, the process that wrote it and the
 * one holding the stream are usually different). PGlite is one process: the same LISTEN through its own API.
 * Redis is not needed for this (pub/sub would have to be published after the commit, which NOTIFY gives for free).
 */
import pg from 'pg';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';
import { STREAM_CHANNEL } from './service.js';

export interface StreamEvent {
  u: number;
  id: number;
}

type Listener = (e: StreamEvent) => void;

export class NotificationStream {
  private readonly listeners = new Map<number, Set<Listener>>();
  private started: Promise<void> | null = null;
  private stopListening: (() => Promise<void>) | null = null;
  private closed = false;

  constructor(
    private readonly database: Database,
    private readonly databaseUrl: string | undefined,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Calls `fn` for every new notification of `userId` (once listening); returns the unsubscription. */
  async subscribe(userId: number, fn: Listener): Promise<() => void> {
    await this.start();
    const set = this.listeners.get(userId) ?? new Set<Listener>();
    set.add(fn);
    this.listeners.set(userId, set);
    return () => {
      set.delete(fn);
      if (!set.size) this.listeners.delete(userId);
    };
  }

  get subscribers(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  private dispatch(raw: string | undefined): void {
    if (!raw) return;
    let e: StreamEvent;
    try {
      e = JSON.parse(raw) as StreamEvent;
    } catch {
      return;
    }
    for (const fn of this.listeners.get(e.u) ?? []) fn(e);
  }

  private start(): Promise<void> {
    this.started ??= this.listen().catch((err) => {
      this.started = null;
      throw err;
    });
    return this.started;
  }

  private async listen(): Promise<void> {
    if (this.database.kind === 'pglite') {
      const lite = (this.database as unknown as { pglite: { listen(ch: string, cb: (p: string) => void): Promise<() => Promise<void>> } })
        .pglite;
      const unlisten = await lite.listen(STREAM_CHANNEL, (p) => this.dispatch(p));
      this.stopListening = unlisten;
      return;
    }
    await this.connectPostgres(0);
  }

  /** One dedicated connection (a pooled one would lose its LISTEN when handed back); reconnects with backoff. */
  private async connectPostgres(attempt: number): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'spotvibe-notifications-stream' });
    let ended = false;
    const reconnect = () => {
      if (ended || this.closed) return;
      ended = true;
      const delay = Math.min(30_000, 500 * 2 ** attempt);
      this.log.warn({ delay }, 'flux des notifications : connexion LISTEN perdue, reconnexion');
      setTimeout(() => void this.connectPostgres(attempt + 1).catch(() => undefined), delay).unref();
    };
    client.on('error', reconnect);
    client.on('end', reconnect);
    client.on('notification', (m) => {
      if (m.channel === STREAM_CHANNEL) this.dispatch(m.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${STREAM_CHANNEL}`);
    } catch (err) {
      if (attempt === 0) throw err;
      reconnect();
      return;
    }
    this.stopListening = async () => {
      ended = true;
      await client.end().catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    // At shutdown the database may be closed already (server.ts closes the runtime in an onClose hook that ran
    // first): a closed PGlite has no LISTEN left to undo, and its "PGlite is closed" is no shutdown error.
    await this.stopListening?.().catch(() => undefined);
    this.stopListening = null;
    this.started = null;
  }
}
