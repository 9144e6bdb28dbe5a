/**
 * The load balancer's configuration as the repository has it (deploy/nginx/nginx.conf, docker-compose's `lb`),
 * rewritten for processes on this machine: the upstream servers become local ports, Docker's resolver goes,
 * logs and pid go to a directory of the run's own. Each rewrite must apply exactly once, so a change to the
 * file that the bench no longer understands fails loudly instead of testing another configuration.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NGINX_CONF = fileURLToPath(new URL('../deploy/nginx/nginx.conf', import.meta.url));

function once(text: string, pattern: RegExp, replacement: string): string {
  const n = text.match(new RegExp(pattern.source, 'gm'))?.length ?? 0;
  if (n !== 1) throw new Error(`deploy/nginx/nginx.conf : ${pattern} trouvé ${n} fois (1 attendu)`);
  return text.replace(new RegExp(pattern.source, 'm'), replacement);
}

export function localNginxConfig(o: { listenPort: number; upstreamPorts: number[]; dir: string }): string {
  let conf = readFileSync(NGINX_CONF, 'utf8');
  conf = once(conf, /^\s*resolver .*;$/, '');
  conf = once(conf, /^(\s*)server web:8000 resolve (.*);$/, o.upstreamPorts.map((p) => `$1server 127.0.0.1:${p} $2;`).join('\n'));
  conf = once(conf, /^(\s*)listen 80;$/, `$1listen 127.0.0.1:${o.listenPort};`);
  conf = once(conf, /^pid .*;$/, `pid ${path.join(o.dir, 'nginx.pid')};`);
  conf = once(conf, /^(\s*)access_log \/dev\/stdout spotvibe;$/, `$1access_log ${path.join(o.dir, 'access.log')} spotvibe;`);
  conf = once(conf, /^error_log .*;$/, `error_log ${path.join(o.dir, 'error.log')} warn;`);
  return conf;
}

/** The upstream port of the web service in the repository's file (must be the app's PORT). */
export function upstreamPortInRepo(): number {
  const m = readFileSync(NGINX_CONF, 'utf8').match(/^\s*server web:(\d+) /m);
  if (!m) throw new Error('deploy/nginx/nginx.conf : serveur amont web:<port> introuvable');
  return Number(m[1]);
}
