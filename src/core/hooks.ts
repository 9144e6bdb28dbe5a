/**
 * Typed domain hooks: how one module reacts to another's domain events without either importing the other's
 * internals. The module that raises a hook declares its payload by augmenting `HookMap` (declaration merging,
 * next to the code that raises it); modules that react list their handlers in their module definition
 * (`hooks` in plugin.ts). The runtime builds one `DomainHooks` from every module at start, in the server, the
 * worker and the CLI alike (runtime.ts): nothing is registered by importing a file, so a process that never
 * imports the HTTP app still refunds a cancelled event's tickets.
 *
 * Handlers run in module order (modules/index.ts), one after the other, awaited. Hooks whose payload carries a
 * transaction (`tx`) run inside it: a handler that throws rolls the whole decision back, and a handler must
 * use that `tx`, never the outer database (on PGlite that waits for itself).
 */

/**
 * Every hook: its name, the payload it carries and what each handler returns. Empty here; each raising module
 * adds its own entries with `declare module '../../core/hooks.js' { interface HookMap { … } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HookMap {}

export type HookName = keyof HookMap;
type Entry<K extends HookName> = HookMap[K] extends { payload: infer P; result: infer R } ? { payload: P; result: R } : never;
export type HookPayload<K extends HookName> = Entry<K>['payload'];
export type HookResult<K extends HookName> = Entry<K>['result'];
export type HookHandler<K extends HookName> = (payload: HookPayload<K>) => Promise<HookResult<K>>;

/** What a module definition lists: at most one handler per hook and module. */
export type HookHandlers = { [K in HookName]?: HookHandler<K> };

interface Registered {
  module: string;
  handler: (payload: unknown) => Promise<unknown>;
}

export class DomainHooks {
  private readonly handlers = new Map<HookName, Registered[]>();

  /** Adds a handler; returns a function that removes it (tests use it; modules list theirs in plugin.ts). */
  on<K extends HookName>(name: K, handler: HookHandler<K>, module = 'test'): () => void {
    const list = this.handlers.get(name) ?? [];
    const entry: Registered = { module, handler: handler as (payload: unknown) => Promise<unknown> };
    list.push(entry);
    this.handlers.set(name, list);
    return () => {
      const current = this.handlers.get(name) ?? [];
      this.handlers.set(
        name,
        current.filter((e) => e !== entry),
      );
    };
  }

  /** Adds every handler of every module, for the runtime: modules in dependency order. */
  registerModules<S>(modules: readonly { name: string; hooks?: ((services: S) => HookHandlers) | undefined }[], services: S): void {
    for (const m of modules) {
      for (const [name, handler] of Object.entries(m.hooks?.(services) ?? {})) {
        if (handler) this.on(name as HookName, handler as never, m.name);
      }
    }
  }

  /** Runs every handler in order; the first that throws stops the others and the error reaches the caller. */
  async run<K extends HookName>(name: K, payload: HookPayload<K>): Promise<void> {
    for (const { handler } of this.handlers.get(name) ?? []) await handler(payload);
  }

  /** Runs every handler in order and returns what each answered, by module name (the account export's sections). */
  async collect<K extends HookName>(name: K, payload: HookPayload<K>): Promise<{ module: string; result: HookResult<K> }[]> {
    const out: { module: string; result: HookResult<K> }[] = [];
    for (const { module, handler } of this.handlers.get(name) ?? []) {
      out.push({ module, result: (await handler(payload)) as HookResult<K> });
    }
    return out;
  }

  /** Names of the modules listening to a hook (diagnostics and tests). */
  listeners(name: HookName): string[] {
    return (this.handlers.get(name) ?? []).map((e) => e.module);
  }
}
