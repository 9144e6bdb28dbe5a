/**
 * The deployment files agree with the code (no image can be built here, so this is what keeps them true):
 * every command of the Dockerfile, docker-compose.yml and the Procfile is a package.json script whose entry
 * point exists; every variable they set is one the configuration reads (and .env.example lists); ports match
 * the defaults and the load balancer's upstream; the image is a maintained Node LTS, runs as a non-root user,
 * checks /healthz; the compose file has two web replicas, a worker, PostgreSQL, Redis and nginx with the
 * repository's configuration, which nginx itself accepts (when installed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { parse as parseEnv } from 'dotenv';
import { envSchema, loadConfig } from '../config.js';
import { MODULES } from '../modules/index.js';

/** Values an operator must give (`${X:?…}` in the compose file), as `docker compose up` demands them. */
const REQUIRED_SAMPLES: Record<string, string> = { SECRET_KEY: 'x'.repeat(40), ORANGE_SMS_SENDER_ADDRESS: '+2250000' };
import { localNginxConfig, upstreamPortInRepo } from '../../bench/nginx.js';

const read = (f: string) => readFileSync(f, 'utf8');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
const example = parseEnv(read('.env.example'));
const documented = new Set([
  ...Object.keys(example),
  ...(read('.env.example').match(/^# ?([A-Z][A-Z0-9_]+)=/gm) ?? []).map((c) => c.replace(/^# ?/, '').replace('=', '')),
]);
const known = new Set(Object.keys(envSchema.shape));
const defaults = loadConfig({});

/** `HOST=0.0.0.0 node dist/server.js` → its variables and the command left. */
function split(command: string): { vars: Record<string, string>; command: string } {
  const vars: Record<string, string> = {};
  let rest = command.trim();
  for (let m = /^([A-Z_][A-Z0-9_]*)=(\S+)\s+/.exec(rest); m; m = /^([A-Z_][A-Z0-9_]*)=(\S+)\s+/.exec(rest)) {
    vars[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  return { vars, command: rest };
}

/** A production command must be one of package.json's scripts, and its compiled entry point's source must exist. */
function assertScript(command: string, where: string): string {
  const name = Object.keys(scripts).find((k) => scripts[k] === command);
  assert.ok(name, `${where} : « ${command} » n'est aucun script de package.json`);
  const entry = /^node (dist\/\S+)\.js\b/.exec(command);
  assert.ok(entry, `${where} : « ${command} » ne lance pas dist/…`);
  assert.ok(existsSync(`${entry[1]!.replace(/^dist\//, 'src/')}.ts`), `${where} : pas de source pour ${entry[1]}.js`);
  return name!;
}

function assertVariables(vars: Record<string, unknown>, where: string): void {
  for (const k of Object.keys(vars)) {
    if (k === 'NODE_ENV') continue;
    assert.ok(known.has(k), `${where} : ${k} n'est pas lu par src/config.ts`);
    assert.ok(documented.has(k), `${where} : ${k} manque dans .env.example`);
  }
}

test('Procfile: web, worker and release (migrate), each a package.json script', () => {
  const lines = Object.fromEntries(
    read('Procfile')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
  );
  assert.deepEqual(Object.keys(lines).sort(), ['release', 'web', 'worker']);
  const web = split(lines.web!);
  assert.equal(assertScript(web.command, 'Procfile web'), 'start:prod');
  assert.equal(web.vars.HOST, '0.0.0.0', 'Heroku routes to $PORT on every interface');
  assertVariables(web.vars, 'Procfile');
  assert.equal(assertScript(lines.worker!, 'Procfile worker'), 'worker:prod');
  assert.equal(assertScript(lines.release!, 'Procfile release'), 'release');
  assert.match(lines.release!, / migrate$/);
});

test('Dockerfile: multi-stage on a maintained Node LTS, compiled code only, non-root, HEALTHCHECK on /healthz', () => {
  const df = read('Dockerfile');
  const froms = [...df.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
  assert.ok(froms.length >= 2, 'multi-stage');
  for (const f of froms) {
    const major = Number(/^node:(\d+)/.exec(f)?.[1]);
    // Even majors are LTS; 20 reached end of life on 2026-04-30, 22 is in maintenance until 2027-04-30.
    assert.ok(major >= 22 && major % 2 === 0, `${f} : LTS maintenue attendue`);
  }
  assert.match(df, /npm run build/);
  assert.match(df, /npm ci --omit=dev/);
  const user = [...df.matchAll(/^USER (\S+)/gm)].at(-1)?.[1];
  assert.ok(user && user !== 'root' && user !== '0', 'runs as a non-root user');
  assert.match(df, /^HEALTHCHECK[\s\S]*?\/healthz/m);
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(df)![1]!) as string[];
  assert.equal(assertScript(cmd.join(' '), 'Dockerfile CMD'), 'start:prod');
  const env = Object.fromEntries(
    [.../^ENV ([\s\S]*?)(?:\n(?!\s))/m.exec(df)![1]!.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/\\$/, '')]),
  );
  assertVariables(env, 'Dockerfile ENV');
  assert.equal(env.PORT, String(defaults.port));
  assert.match(df, new RegExp(`^EXPOSE ${defaults.port}$`, 'm'));
  assert.equal(example.PORT, String(defaults.port));
  const ignore = read('.dockerignore').split('\n');
  for (const p of ['.git', '.env', 'node_modules', 'dist', 'data']) assert.ok(ignore.includes(p), `.dockerignore : ${p}`);
});

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, unknown>;
  deploy?: { replicas?: number };
  volumes?: string[];
  ports?: string[];
  expose?: string[];
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
}

test('docker-compose.yml: two web replicas, a worker, PostgreSQL, Redis and nginx, wired as the code expects', () => {
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const s = compose.services;
  for (const name of ['web', 'worker', 'db', 'redis', 'lb', 'migrate']) assert.ok(s[name], `service ${name}`);
  assert.equal(s.web!.deploy?.replicas, 2);
  assert.equal(assertScript(s.web!.command!.join(' '), 'compose web'), 'start:prod');
  assert.equal(assertScript(s.worker!.command!.join(' '), 'compose worker'), 'worker:prod');
  assert.equal(assertScript(s.migrate!.command!.join(' '), 'compose migrate'), 'release');
  for (const name of ['web', 'worker', 'migrate']) {
    const env = s[name]!.environment!;
    assertVariables(env, `compose ${name}`);
    const config = loadConfig(
      Object.fromEntries(
        Object.entries(env).map(([k, v]) => [
          k,
          String(v).replace(
            /\$\{([A-Z_]+)(?::?[-?][^}]*)?\}/g,
            (_m, n: string) =>
              // A required variable (${X:?…}) gets a value, as `docker compose up` demands; others their default.
              REQUIRED_SAMPLES[n] ?? (_m.includes(':?') ? 'requis.example' : undefined) ?? /:-([^}]*)\}/.exec(_m)?.[1] ?? '',
          ),
        ]),
      ),
    );
    // What every module checks at start (runtime.ts) passes too: the containers would otherwise refuse to start.
    assert.deepEqual(
      MODULES.flatMap((m) => m.checkConfig?.(config) ?? []),
      [],
      `compose ${name}`,
    );
    assert.equal(config.database.kind, 'postgres');
    assert.equal(new URL(config.database.url!).hostname, 'db');
    assert.equal(new URL(config.redisUrl!).hostname, 'redis');
    assert.equal(config.debug, false);
    assert.equal(config.trustProxy, 1, 'behind nginx: one hop');
    assert.equal(config.runWorker, 'false', 'jobs run in the worker service');
    // Compose gives each container its stop_grace_period before SIGKILL: longer than our own bound.
    assert.ok(Number.parseInt(s[name]!.stop_grace_period ?? '10s') > config.shutdownTimeoutMs / 1000 || name === 'migrate', name);
  }
  const webEnv = loadConfig({ PORT: String(s.web!.environment!.PORT) });
  assert.deepEqual(s.web!.expose, [String(webEnv.port)]);
  assert.equal(upstreamPortInRepo(), webEnv.port, 'nginx sends to the port the web processes listen on');
  const metricsPort = String(s.worker!.environment!.METRICS_PORT);
  assert.ok(s.worker!.healthcheck!.test.join(' ').includes(`:${metricsPort}/healthz`));
  assert.ok(s.lb!.volumes!.includes('./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro'));
  assert.ok(existsSync('deploy/nginx/nginx.conf'));
  assert.match(s.lb!.image!, /^nginx:/);
  assert.match(s.db!.image!, /^postgres:/);
  assert.match(s.redis!.image!, /^redis:/);
});

const nginx = spawnSync('nginx', ['-v']).error ? null : 'nginx';

test('nginx accepts the repository configuration (as the cluster bench renders it)', { skip: !nginx && 'nginx non installé' }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sv-nginx-'));
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, localNginxConfig({ listenPort: 18179, upstreamPorts: [18170, 18171], dir }));
  const r = spawnSync('nginx', ['-t', '-p', dir, '-c', conf, '-g', `error_log ${path.join(dir, 'e.log')};`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
