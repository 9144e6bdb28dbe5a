import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEV_SECRET_KEY, loadConfig } from './config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('la configuration aurait dû être refusée');
}

test('defaults: development, embedded database, port 8000 on 127.0.0.1', () => {
  const c = loadConfig({});
  assert.equal(c.debug, true);
  assert.equal(c.port, 8000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.database.kind, 'pglite');
  assert.match(c.database.dataDir, /data$/);
  assert.equal(c.secretKey, DEV_SECRET_KEY);
  assert.equal(c.email.backend, 'console');
  assert.deepEqual(c.allowedHosts, ['localhost', '127.0.0.1']);
  assert.equal(c.secureSslRedirect, false);
});

test('good values are parsed: PostgreSQL URL, booleans in Django style, lists, Django email backend path', () => {
  const c = loadConfig({
    DATABASE_URL: 'postgresql://u:p@db:5432/spotvibe',
    DEBUG: 'True',
    PORT: '9000',
    ALLOWED_HOSTS: 'api.spotvibe.ci, .spotvibe.ci',
    EMAIL_BACKEND: 'django.core.mail.backends.smtp.EmailBackend',
    EMAIL_HOST: 'smtp.example.com',
    EMAIL_USE_TLS: 'False',
    TRUST_PROXY: 'true',
  });
  assert.equal(c.database.kind, 'postgres');
  assert.equal(c.port, 9000);
  assert.deepEqual(c.allowedHosts, ['api.spotvibe.ci', '.spotvibe.ci']);
  assert.equal(c.email.backend, 'smtp');
  assert.equal(c.email.useTls, false);
  assert.equal(c.trustProxy, true);
});

test('a bad value names the variable', () => {
  assert.match(problems({ PORT: 'quatre-vingt' }).join('\n'), /^PORT: nombre entier attendu/m);
  assert.match(problems({ PORT: '70000' }).join('\n'), /^PORT: doit être compris entre 0 et 65535/m);
  assert.match(problems({ DEBUG: 'peut-être' }).join('\n'), /^DEBUG: valeur booléenne attendue/m);
  assert.match(problems({ DATABASE_URL: 'sqlite:///db.sqlite3' }).join('\n'), /^DATABASE_URL: seul postgresql/m);
  assert.match(problems({ LOG_LEVEL: 'bavard' }).join('\n'), /^LOG_LEVEL: valeur non autorisée/m);
  assert.match(problems({ REDIS_URL: 'http://x' }).join('\n'), /^REDIS_URL: URL attendue/m);
  assert.match(problems({ EMAIL_BACKEND: 'pigeon' }).join('\n'), /^EMAIL_BACKEND: « pigeon » inconnu/m);
  assert.match(problems({ RUN_WORKER: 'sometimes' }).join('\n'), /^RUN_WORKER:/m);
});

test('several problems are reported together', () => {
  const p = problems({ PORT: 'x', BODY_LIMIT: '-1' });
  assert.equal(p.length, 2);
});

test('production (DEBUG=False) refuses a missing, default or short SECRET_KEY', () => {
  assert.match(problems({ DEBUG: 'False' }).join('\n'), /^SECRET_KEY: obligatoire en production/m);
  assert.match(problems({ DEBUG: 'False', SECRET_KEY: DEV_SECRET_KEY }).join('\n'), /^SECRET_KEY:/m);
  assert.match(problems({ DEBUG: 'False', SECRET_KEY: 'your-secret-key-here' }).join('\n'), /^SECRET_KEY:/m);
  assert.match(problems({ DEBUG: 'False', SECRET_KEY: 'court' }).join('\n'), /^SECRET_KEY: trop courte/m);
});

/** What production needs besides its secret: the public address and a real mail server. */
const PRODUCTION = { PUBLIC_BASE_URL: 'https://api.spotvibe.ci', EMAIL_HOST: 'smtp.spotvibe.ci' };

test('production turns on the security settings', () => {
  const c = loadConfig({ DEBUG: 'False', SECRET_KEY: 'x'.repeat(50), ALLOWED_HOSTS: 'api.spotvibe.ci', ...PRODUCTION });
  assert.equal(c.debug, false);
  assert.equal(c.secureSslRedirect, true);
  assert.deepEqual(c.allowedHosts, ['api.spotvibe.ci']);
});

test('NODE_ENV=production makes DEBUG default to False', () => {
  assert.match(problems({ NODE_ENV: 'production' }).join('\n'), /SECRET_KEY/);
});

test('.env.example loads as is and lists every variable the schema reads', async () => {
  const { readFileSync } = await import('node:fs');
  const { parse } = await import('dotenv');
  const { envSchema } = await import('./config.js');
  const example = parse(readFileSync(new URL('../.env.example', import.meta.url)));
  loadConfig(example);
  const documented = new Set(Object.keys(example));
  const commented = readFileSync(new URL('../.env.example', import.meta.url), 'utf8').match(/^# ?([A-Z][A-Z0-9_]+)=/gm) ?? [];
  for (const c of commented) documented.add(c.replace(/^# ?/, '').replace('=', ''));
  const missing = Object.keys(envSchema.shape).filter((k) => k !== 'NODE_ENV' && !documented.has(k));
  assert.deepEqual(missing, []);
});

test('SMTP without a host is refused', () => {
  assert.match(problems({ EMAIL_BACKEND: 'smtp' }).join('\n'), /^EMAIL_HOST: obligatoire/m);
});

test('production requires PUBLIC_BASE_URL and a real mail server, naming the variables', () => {
  const p = problems({ DEBUG: 'False', SECRET_KEY: 'x'.repeat(50) }).join('\n');
  assert.match(p, /^PUBLIC_BASE_URL: obligatoire en production/m);
  assert.match(p, /^EMAIL_HOST: obligatoire en production .*EMAIL_BACKEND=console/m);
  assert.doesNotThrow(() => loadConfig({ DEBUG: 'False', SECRET_KEY: 'x'.repeat(50), ...PRODUCTION }));
  // Development keeps its zero-setup defaults.
  assert.doesNotThrow(() => loadConfig({}));
});

test('TRUST_PROXY: a hop count or proxy addresses; true only in development', () => {
  assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.10' }).trustProxy, ['10.0.0.0/8', '192.168.1.10']);
  assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
  const prod = problems({ DEBUG: 'False', SECRET_KEY: 'x'.repeat(50), ...PRODUCTION, TRUST_PROXY: 'true' }).join('\n');
  assert.match(prod, /^TRUST_PROXY: « true » ferait confiance .*\(TRUST_PROXY=1 /m);
  assert.match(problems({ TRUST_PROXY: '10.0.0.0/99' }).join('\n'), /^TRUST_PROXY: adresse ou réseau invalide : 10\.0\.0\.0\/99/m);
  assert.match(problems({ TRUST_PROXY: 'le-proxy' }).join('\n'), /^TRUST_PROXY:/m);
});
