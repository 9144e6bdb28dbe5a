/**
 * `npm run cli -- <command>`: the manual's management commands. Each prints what it did in French and exits
 * non-zero on failure. In embedded mode it takes the data-directory lock, so it refuses to run while the
 * server holds the same DATA_DIR.
 */
import 'dotenv/config';
import { Command, InvalidArgumentError } from 'commander';
import { inFrench } from './french.js';
import { generateSecret } from '../core/tokens.js';
import { loadConfig, ConfigError, type Config } from '../config.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { DataDirLockedError } from '../db/lock.js';
import { cleanupOldData } from '../modules/maintenance/service.js';
import { createSuperuser, SuperuserError, validateSuperuser, type SuperuserInput } from './createsuperuser.js';
import { DEMO_PASSWORD, seedDemo } from './seed-demo.js';
import { accountsDeps } from '../modules/users/deps.js';
import { eraseAccount } from '../modules/users/privacy.js';
import { findAccount } from '../modules/users/admin.js';
import { backupEmbedded, BackupError, restoreEmbedded } from './backup.js';

class CliError extends Error {}

function positiveInt(name: string, min = 0) {
  return (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new InvalidArgumentError(`${name} : nombre entier ≥ ${min} attendu.`);
    return Number(v);
  };
}

/** The runtime as every process opens it (runtime.ts); `jobs`: start the queue to enqueue (never to work). */
async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>, opts: { migrate?: boolean; jobs?: boolean } = {}): Promise<T> {
  const config: Config = loadConfig();
  const rt = await openRuntime(config, {
    role: 'cli',
    work: false,
    jobs: opts.jobs ?? false,
    payments: false,
    migrate: opts.migrate ?? true,
  });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

const program = inFrench(new Command()).name('spotvibe').description('Commandes de gestion SpotVibe');

program
  .command('migrate')
  .description('Applique les migrations de la base de données (et les catégories par défaut)')
  .action(async () => {
    await withRuntime(
      async (rt) => {
        console.log(`Base : ${rt.config.database.kind === 'postgres' ? 'PostgreSQL' : `embarquée (${rt.config.database.dataDir})`}`);
        const pending = await rt.database.pendingMigrations();
        console.log(pending.length ? `Migrations restantes : ${pending.join(', ')}` : 'Toutes les migrations sont appliquées.');
      },
      { migrate: true },
    );
  });

program
  .command('createsuperuser')
  .description('Crée un super-utilisateur (interactif, ou avec toutes les options)')
  .option('--username <nom>', "nom d'utilisateur")
  .option('--email <email>', 'adresse e-mail')
  .option('--password <motdepasse>', 'mot de passe (évitez-le en ligne de commande partagée)')
  .option('--telephone <numéro>', 'téléphone, +225 et 10 chiffres')
  .option('--no-input', 'ne jamais poser de question (échoue si une valeur manque)')
  .action(async (opts: Partial<SuperuserInput> & { input: boolean }) => {
    const input = await collectSuperuser(opts);
    await withRuntime(async (rt) => {
      const { id } = await createSuperuser(rt.database, input);
      console.log(`Super-utilisateur « ${input.username} » créé (id ${id}).`);
    });
  });

async function collectSuperuser(opts: Partial<SuperuserInput> & { input: boolean }): Promise<SuperuserInput> {
  const fields: (keyof SuperuserInput)[] = ['username', 'email', 'telephone', 'password'];
  const missing = fields.filter((f) => !opts[f]);
  if (missing.length && (!opts.input || !process.stdin.isTTY)) {
    throw new CliError(`Valeurs manquantes en mode non interactif : ${missing.map((m) => `--${m}`).join(', ')}.`);
  }
  const { input, password } = await import('@inquirer/prompts');
  const out = { ...opts } as SuperuserInput;
  const check = (field: keyof SuperuserInput) => (v: string) => validateSuperuser({ ...placeholder(), [field]: v })[field] ?? true;
  if (!out.username) out.username = await input({ message: "Nom d'utilisateur :", validate: check('username') });
  if (!out.email) out.email = await input({ message: 'Adresse e-mail :', validate: check('email') });
  if (!out.telephone) out.telephone = await input({ message: 'Téléphone (+225…) :', validate: check('telephone') });
  if (!out.password) {
    for (;;) {
      const p1 = await password({
        message: 'Mot de passe :',
        mask: '*',
        validate: (v) => validateSuperuser({ ...out, password: v })['password'] ?? true,
      });
      const p2 = await password({ message: 'Mot de passe (confirmation) :', mask: '*' });
      if (p1 === p2) {
        out.password = p1;
        break;
      }
      console.error('Les mots de passe ne correspondent pas.');
    }
  }
  return out;
}

function placeholder(): SuperuserInput {
  return { username: 'x', email: 'x@example.com', telephone: '+2250700000000', password: 'placeholder-1' };
}

program
  .command('seed-demo')
  .description('Remplit la base avec des données de démonstration déterministes')
  .option('--users <n>', "nombre d'utilisateurs", positiveInt('--users', 1), 100)
  .option('--events <n>', "nombre d'événements", positiveInt('--events'), 500)
  .option('--participations <n>', 'nombre de participations (événements gratuits validés)', positiveInt('--participations'), 2000)
  .option('--seed <n>', 'graine (mêmes données pour la même graine)', positiveInt('--seed'), 42)
  .option('--base-date <date>', 'premier jour des événements (AAAA-MM-JJ, défaut : demain)')
  .option('--allow-production', 'accepter DEBUG=False (un mot de passe aléatoire est alors généré et affiché une fois)')
  .action(
    async (opts: { users: number; events: number; participations: number; seed: number; baseDate?: string; allowProduction?: boolean }) => {
      // The demo data includes a staff account: with the well-known demo password, in production that is a back door.
      const production = !loadConfig().debug;
      if (production && !opts.allowProduction) {
        throw new CliError(
          "seed-demo refusé en production (DEBUG=False) : il crée un compte du personnel. Relancez avec --allow-production pour l'accepter avec un mot de passe aléatoire, affiché une seule fois.",
        );
      }
      const password = production ? generateSecret(18) : DEMO_PASSWORD;
      let baseDate: Date | undefined;
      if (opts.baseDate) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.baseDate) || Number.isNaN(Date.parse(`${opts.baseDate}T00:00:00Z`))) {
          throw new CliError('--base-date : date attendue au format AAAA-MM-JJ.');
        }
        baseDate = new Date(`${opts.baseDate}T00:00:00Z`);
      }
      await withRuntime(async (rt) => {
        const r = await seedDemo(
          rt.database,
          {
            users: opts.users,
            events: opts.events,
            participations: opts.participations,
            seed: opts.seed,
            password,
            ...(baseDate ? { baseDate } : {}),
          },
          (m) => console.log(m),
        );
        // Servers sharing this Redis show the new events at their next request (core/public-cache.ts).
        await rt.publicCache.bump();
        console.log(
          `Données de démonstration créées : ${r.users} utilisateurs (${r.prefix}_1 … ${r.prefix}_${r.users}, mot de passe « ${password} »${production ? ', affiché cette seule fois' : ''}, ` +
            `${r.prefix}_1 est membre du personnel), ${r.events} événements, ${r.participations} participations.`,
        );
      });
    },
  );

for (const name of ['cleanup_old_data', 'cleanup-old-data']) {
  program
    .command(name, { hidden: name.includes('-') })
    .description('Nettoie les anciennes données (tentatives de connexion et journal d’audit de plus de N jours)')
    .option('--days <n>', 'ancienneté en jours', positiveInt('--days', 1), 30)
    .action(async (opts: { days: number }) => {
      await withRuntime(async (rt) => {
        const r = await cleanupOldData(rt.database.db, opts.days);
        console.log(`Tentatives de connexion supprimées : ${r.loginAttempts}`);
        console.log(`Entrées du journal d'audit supprimées : ${r.auditLogs}`);
        console.log('Nettoyage terminé avec succès');
      });
    });
}

program
  .command('delete-account')
  .description(
    "Supprime un compte à la demande de son titulaire (droit à l'effacement) : données personnelles effacées, paiements conservés sans lien",
  )
  .argument('<compte>', "identifiant numérique, nom d'utilisateur ou adresse e-mail")
  .option('--yes', 'ne pas demander de confirmation')
  .action(async (who: string, opts: { yes?: boolean }) => {
    await withRuntime(
      async (rt) => {
        const deps = accountsDeps(rt);
        const user = await findAccount(deps, who);
        if (!user) throw new CliError(`Aucun compte ne correspond à « ${who} ».`);
        if (user.dateSuppression) throw new CliError(`Le compte « ${who} » est déjà supprimé.`);
        if (!opts.yes) {
          if (!process.stdin.isTTY) throw new CliError('Confirmation requise : relancez avec --yes (aucun terminal pour la demander).');
          const { confirm } = await import('@inquirer/prompts');
          if (!(await confirm({ message: `Supprimer définitivement le compte ${user.username} (id ${user.id}) ?`, default: false }))) {
            console.log('Rien n’a été supprimé.');
            return;
          }
        }
        // Every module erases its part (account.erase) in the same transaction; the owner's email is queued with it.
        await eraseAccount(deps, user.id, { actorId: null, meta: { ip: null, userAgent: 'cli delete-account' } });
        console.log(`Compte ${user.id} supprimé : données personnelles effacées, paiements conservés sans lien avec la personne.`);
      },
      { jobs: true },
    );
  });

program
  .command('backup')
  .argument('<fichier>', 'archive à écrire (.tar.gz)')
  .description('Sauvegarde la base embarquée (et ses médias) dans un fichier ; serveur arrêté (PostgreSQL : pg_dump)')
  .action(async (file: string) => {
    const r = await backupEmbedded(loadConfig(), file);
    console.log(`Sauvegarde écrite : ${r.file} (${(r.bytes / 1_048_576).toFixed(1)} Mo).`);
  });

program
  .command('restore')
  .argument('<fichier>', 'archive faite par « backup »')
  .option('--force', 'remplace une base existante (son contenu actuel est mis de côté, pas supprimé)', false)
  .description('Restaure la base embarquée depuis une sauvegarde ; serveur arrêté (PostgreSQL : pg_restore)')
  .action(async (file: string, opts: { force: boolean }) => {
    const r = await restoreEmbedded(loadConfig(), file, opts);
    console.log(`Base restaurée depuis ${file}.${r.aside ? ` Ancien contenu mis de côté dans ${r.aside}.` : ''}`);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError || err instanceof CliError || err instanceof BackupError)
    console.error(err.message);
  else if (err instanceof SuperuserError) console.error(`Impossible de créer le super-utilisateur :\n${err.message}`);
  else if (err instanceof Error && err.name === 'ExitPromptError') console.error('Annulé.');
  else console.error('Échec :', err instanceof Error ? err.message : err);
  process.exit(1);
});
