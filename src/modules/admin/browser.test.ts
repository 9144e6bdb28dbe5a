/**
 * SpotVibe Administration in a real browser (Debian's Chromium driven by playwright-core) against the real app:
 * a server listening on a random port, the real API, a real database, the job worker running. Every request
 * the page makes is checked: anything for another host fails the run. Without Chromium the tests are skipped,
 * with a line saying so. ADMIN_SCREENSHOTS=docs/screenshots writes the README's screenshots.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestContext, eventually, type TestContext } from '../../test/context.js';
import { createUser, createUserWithToken } from '../../test/users.js';
import { DAY, HOUR, createPaidEvent, insertEvent, inDays } from '../../test/events.js';
import { createPaidPurchase } from '../../test/payments.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { events } from '../events/tables.js';
import { payments, refunds } from '../payments/tables.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.log(`# Tests navigateur de SpotVibe Administration IGNORÉS : ${CHROMIUM} introuvable (apt-get install -y chromium).`);
}

const PASSWORD = 'Soleil-Abidjan-2024';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

let ctx: TestContext;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let staffApi: Record<string, string>;
let organizerApi: Record<string, string>;
const external: string[] = [];
const problems: string[] = [];
const apiCalls: { method: string; path: string; csrf: boolean }[] = [];
const shotsDir = process.env.ADMIN_SCREENSHOTS
  ? path.resolve(process.env.ADMIN_SCREENSHOTS)
  : mkdtempSync(path.join(tmpdir(), 'sv-shots-'));
const ids: Record<string, number> = {};
let refusedSaveExpected = false;

async function seed() {
  const db = ctx.database.db;
  await createUser(db, {
    username: 'moderatrice',
    password: PASSWORD,
    isStaff: true,
    isSuperuser: true,
    firstName: 'Awa',
    lastName: 'Koné',
  });
  await createUser(db, { username: 'simple', password: PASSWORD });
  staffApi = (await createUserWithToken(db, { isStaff: true })).headers;
  const org = await createUser(db, { username: 'koffi-events', firstName: 'Koffi', lastName: 'Yao' });
  ids.organizer = org.id;
  const created = (h: number) => new Date(Date.now() - h * HOUR);
  ids.oldest = await insertEvent(db, org.id, {
    statut: 'EN_ATTENTE',
    titre: 'Festival des Masques de Man',
    description: 'Danses et masques traditionnels.',
    dateCreation: created(50),
  });
  ids.reject = await insertEvent(db, org.id, { statut: 'EN_ATTENTE', titre: 'Soirée sans affiche', dateCreation: created(40) });
  ids.bulk1 = await insertEvent(db, org.id, { statut: 'EN_ATTENTE', titre: 'Tournoi de maracana', dateCreation: created(30) });
  ids.bulk2 = await insertEvent(db, org.id, { statut: 'EN_ATTENTE', titre: 'Atelier de pagne tissé', dateCreation: created(20) });
  // Money: a paid event with sales over the last days, one refund the provider refused, one manual refund.
  const paid = await createPaidEvent(db, org.id, { prix: 5000 });
  await db.update(events).set({ titre: 'Concert Zouglou au Palais de la Culture' }).where(eq(events.id, paid.event.id));
  ids.paidEvent = paid.event.id;
  const buyers = await Promise.all([1, 2, 3].map(() => createUser(db)));
  for (const [i, b] of buyers.entries()) {
    const p = await createPaidPurchase(db, {
      buyerId: b.id,
      eventId: paid.event.id,
      typeId: paid.types[0]!.id,
      quantite: i + 1,
      fournisseur: 'WAVE',
    });
    ids[`payment${i}`] = p.paymentId;
    // Sales on different days, for the chart of revenue per day.
    const day = new Date(Date.now() - (12 - 5 * i) * DAY);
    await db.update(payments).set({ dateCreation: day, dateFinalisation: day }).where(eq(payments.id, p.paymentId));
  }
  const [failed] = await db
    .insert(refunds)
    .values({
      paymentId: ids.payment0!,
      montant: 5000,
      statut: 'ECHOUE',
      motif: "Annulation de l'événement par l'organisateur",
      raisonEchec: 'Délai dépassé chez le fournisseur',
      referenceFournisseur: randomUUID(),
    })
    .returning();
  ids.failedRefund = failed!.id;
  const orange = await createPaidPurchase(db, {
    buyerId: buyers[0]!.id,
    eventId: paid.event.id,
    typeId: paid.types[0]!.id,
    fournisseur: 'ORANGE_MONEY',
  });
  const [manual] = await db
    .insert(refunds)
    .values({
      paymentId: orange.paymentId,
      montant: 5000,
      statut: 'REMBOURSEMENT_MANUEL',
      motif: 'Paiement reçu après la fin des ventes',
      referenceFournisseur: randomUUID(),
    })
    .returning();
  ids.manualRefund = manual!.id;
  await insertEvent(db, org.id, { statut: 'VALIDE', titre: 'Marathon d’Abidjan', dateDebut: inDays(20) });
  // Two published events whose organizer rewrites the title through the API: two revisions for staff.
  const writer = await createUserWithToken(db, { username: 'awa-spectacles', firstName: 'Awa', lastName: 'Bamba' });
  organizerApi = writer.headers;
  ids.revApprove = await insertEvent(db, writer.user.id, { statut: 'VALIDE', titre: 'Nuit du Coupé-Décalé' });
  ids.revReject = await insertEvent(db, writer.user.id, { statut: 'VALIDE', titre: 'Gala de Yamoussoukro' });
  for (const [id, titre] of [
    [ids.revApprove, 'Nuit du Coupé-Décalé, 2e édition'],
    [ids.revReject, 'Gala de Yamoussoukro : payez au +225 07 00 00 00 00'],
  ] as const) {
    const r = await ctx.app.inject({ method: 'PATCH', url: `/api/events/${id}/`, headers: organizerApi, payload: { titre } });
    if (r.statusCode !== 200 || !r.json().revision_en_attente) throw new Error(`révision non créée : ${r.body}`);
  }
  await insertEvent(db, org.id, {
    statut: 'TERMINE',
    titre: 'Salon du livre',
    dateDebut: inDays(-10),
    dateFin: new Date(Date.now() - 9 * DAY),
  });
}

async function shot(name: string) {
  await page.waitForTimeout(400); // let dialogs and ripples settle
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true });
}

const notification = (text: string | RegExp) => page.locator('.MuiSnackbar-root').getByText(text);
const dialog = () => page.getByRole('dialog');
const row = (text: string) => page.locator('tbody tr', { hasText: text });
const api = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ url, headers });
/** Another page of the interface: a change of the hash (the app's router), as a click on a link does. */
const go = (hash: string) => page.evaluate((h) => (window.location.hash = h), hash);

describe('SpotVibe Administration in a browser', { skip: hasChromium ? false : `${CHROMIUM} introuvable` }, () => {
  before(async () => {
    const t0 = Date.now();
    execFileSync(process.execPath, ['scripts/build-admin.mjs', '--if-stale'], { stdio: 'inherit' });
    ctx = await createTestContext({ work: true, gateways: fakeGateways(), env: { LOGIN_RATE_LIMIT_MAX: '10000' } });
    await seed();
    await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    });
    context = await browser.newContext({
      viewport: { width: 1366, height: 900 },
      locale: 'fr-FR',
      timezoneId: 'Africa/Abidjan',
      acceptDownloads: true,
    });
    // Every request of every page: only this server may be reached.
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.protocol !== 'data:' && url.protocol !== 'blob:' && !LOCAL_HOSTS.has(url.hostname)) {
        external.push(`${route.request().method()} ${url.href}`);
        return route.abort('blockedbyclient');
      }
      return route.continue();
    });
    context.on('request', (r) => {
      const url = new URL(r.url());
      if (url.protocol.startsWith('http') && !LOCAL_HOSTS.has(url.hostname)) external.push(`(requête) ${r.method()} ${url.href}`);
      if (url.pathname.startsWith('/api/')) apiCalls.push({ method: r.method(), path: url.pathname, csrf: !!r.headers()['x-csrf-token'] });
    });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() !== 'error' && m.type() !== 'warning') return;
      // The sign-in check before signing in, and the refused sign-in, are expected 401/403 answers.
      if (/Failed to load resource: the server responded with a status of 40[13]/.test(m.text())) return;
      // The broken template's save, refused on purpose (400 with its line), and only that one.
      if (refusedSaveExpected && /status of 400/.test(m.text()) && /\/api\/admin\/notification-templates\/\d+\/$/.test(m.location().url))
        return;
      problems.push(`${m.type()}: ${m.text()}`);
    });
    console.log(`# navigateur prêt en ${Date.now() - t0} ms (${base})`);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await ctx?.close();
    if (!process.env.ADMIN_SCREENSHOTS) rmSync(shotsDir, { recursive: true, force: true });
  });

  test('sign in: a non-staff account is refused with the French message; staff get in and stay after a reload', async () => {
    await page.goto(`${base}/admin/`);
    await page.getByRole('button', { name: 'Connexion' }).waitFor({ timeout: 20_000 });
    assert.equal(await page.title(), 'SpotVibe Administration');
    await page.locator('input[name=username]').fill('simple');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Connexion' }).click();
    await page.getByText("Ce compte n'a pas accès à SpotVibe Administration").waitFor({ timeout: 10_000 });
    await page.locator('input[name=username]').fill('moderatrice');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Connexion' }).click();
    await page.getByText('Recettes par jour').waitFor({ timeout: 20_000 });
    // The session is an httpOnly cookie: scripts on the page cannot read it.
    assert.equal(await page.evaluate(() => document.cookie), '');
    const cookies = await context.cookies();
    assert.ok(cookies.some((c) => c.name === 'sv_admin_session' && c.httpOnly && c.sameSite === 'Strict' && c.path === '/api/admin'));
    await page.reload();
    await page.getByText('Recettes par jour').waitFor({ timeout: 20_000 });
    assert.ok(!page.url().includes('login'));
  });

  test('dashboard: the figures of /api/admin/stats/, two charts drawn, amounts in F CFA', async () => {
    const stats = (await api('/api/admin/stats/', staffApi)).json();
    const figure = (label: string) => page.locator(`[data-figure="${label}"]`).innerText();
    assert.equal(await figure('Utilisateurs'), String(stats.total_users));
    assert.equal(await figure('En attente de modération'), String(stats.pending_events));
    assert.equal(await figure('Événements validés'), String(stats.total_events));
    assert.equal(stats.pending_revisions, 2);
    assert.equal(await figure('Révisions en attente'), '2');
    const revenue = await figure('Recettes nettes');
    assert.match(revenue, /^\d{1,3}(\s\d{3})*\sF\sCFA$/, revenue);
    assert.equal(revenue.replace(/\D/g, ''), String(stats.total_revenue));
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('canvas')].length === 2 &&
        [...document.querySelectorAll('canvas')].every((c) => {
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < d.length; i += 4 * 31) if (d[i] !== 0) return true;
          return false;
        }),
      null,
      { timeout: 10_000 },
    );
    await page.getByRole('list', { name: 'Derniers événements en attente' }).getByText('Atelier de pagne tissé').waitFor();
    await shot('dashboard');
  });

  test('moderation: the queue oldest first; approving an event makes it public through the API', async () => {
    await go(`/moderation`);
    await row('Festival des Masques de Man').waitFor({ timeout: 15_000 });
    const titles = await page.locator('tbody tr td:nth-child(2)').allInnerTexts();
    assert.deepEqual(titles.slice(0, 4), [
      'Festival des Masques de Man',
      'Soirée sans affiche',
      'Tournoi de maracana',
      'Atelier de pagne tissé',
    ]);
    await shot('moderation');
    assert.equal((await api(`/api/events/${ids.oldest}/`)).statusCode, 404, 'not public before');
    await row('Festival des Masques de Man').click();
    await page.getByText('Danses et masques traditionnels.').waitFor();
    await page.getByText('Organisateur').first().waitFor();
    await page.getByText('koffi-events', { exact: false }).first().waitFor();
    const before = apiCalls.length;
    await page.getByRole('button', { name: 'Approuver' }).click();
    await dialog().waitFor();
    assert.ok(!apiCalls.slice(before).some((c) => c.method === 'POST'), 'nothing is sent before confirming');
    await dialog().getByRole('button', { name: 'Confirmer' }).click();
    await notification('Événement validé.').waitFor({ timeout: 10_000 });
    const call = apiCalls.find((c) => c.path === `/api/admin/events/${ids.oldest}/approve/`);
    assert.ok(call?.csrf, 'sent with X-CSRF-Token');
    const pub = await api(`/api/events/${ids.oldest}/`);
    assert.equal(pub.statusCode, 200);
    assert.equal(pub.json().statut, 'VALIDE');
    await page.waitForURL(/#\/moderation$/);
  });

  test('reject with a reason: the button waits for 5 characters; the organizer sees the reason', async () => {
    await row('Soirée sans affiche').click();
    await page.getByRole('button', { name: 'Rejeter' }).click();
    const confirm = dialog().getByRole('button', { name: 'Confirmer' });
    await dialog().getByLabel('Motif du rejet').fill('Non');
    assert.equal(await confirm.isDisabled(), true);
    await dialog().getByLabel('Motif du rejet').fill('Ajoutez une affiche et le programme de la soirée.');
    await confirm.click();
    await notification('Événement rejeté.').waitFor({ timeout: 10_000 });
    const [ev] = await ctx.database.db.select().from(events).where(eq(events.id, ids.reject!));
    assert.equal(ev!.statut, 'REJETE');
    assert.equal(ev!.motifRejet, 'Ajoutez une affiche et le programme de la soirée.');
  });

  test('bulk approve: a confirmation naming the count, then both are published', async () => {
    await go(`/moderation`);
    await row('Tournoi de maracana').locator('input[type=checkbox]').check();
    await row('Atelier de pagne tissé').locator('input[type=checkbox]').check();
    await page.getByRole('button', { name: 'Approuver' }).click();
    await dialog().getByText('Approuver 2 événements').waitFor();
    await dialog().getByRole('button', { name: 'Confirmer' }).click();
    await notification('2 événements approuvés.').waitFor({ timeout: 10_000 });
    for (const id of [ids.bulk1, ids.bulk2]) assert.equal((await api(`/api/events/${id}/`)).json().statut, 'VALIDE');
    await page.getByText('Aucun événement en attente de modération.').waitFor({ timeout: 10_000 });
  });

  test('revisions: the moderation page counts them; the queue shows each diff; publish one, refuse one with a reason', async () => {
    await go(`/moderation`);
    const card = page.getByRole('region', { name: 'Révisions d’événements publiés' });
    await card.getByText('2 modifications d’événements publiés attendent votre validation', { exact: false }).waitFor({ timeout: 10_000 });
    await card.getByRole('link', { name: 'Voir la file des révisions' }).click();
    await page.waitForURL(/#\/revisions$/);
    const item = (titre: string) => page.getByRole('article', { name: titre });
    await item('Nuit du Coupé-Décalé').waitFor({ timeout: 10_000 });
    // Oldest first, each with the organizer and the diff, the published value beside the proposed one.
    assert.deepEqual(await page.locator('article h2').allInnerTexts(), ['Nuit du Coupé-Décalé', 'Gala de Yamoussoukro']);
    const first = item('Nuit du Coupé-Décalé');
    await first.getByText('awa-spectacles', { exact: false }).waitFor();
    const diff = first.getByRole('table', { name: 'Différences proposées pour « Nuit du Coupé-Décalé »' });
    assert.equal(await diff.locator('tr[data-champ=titre] th').innerText(), 'Titre');
    assert.equal(await diff.locator('tr[data-champ=titre] td[data-side=avant]').innerText(), 'Nuit du Coupé-Décalé');
    assert.equal(await diff.locator('tr[data-champ=titre] td[data-side=apres]').innerText(), 'Nuit du Coupé-Décalé, 2e édition');
    await shot('revisions');

    const before = apiCalls.length;
    await first.getByRole('button', { name: 'Publier la modification' }).click();
    await dialog().getByText('Publier la modification de « Nuit du Coupé-Décalé »').waitFor();
    assert.ok(!apiCalls.slice(before).some((c) => c.method === 'POST'), 'nothing is sent before confirming');
    await dialog().getByRole('button', { name: 'Confirmer' }).click();
    await notification('Modification publiée.').waitFor({ timeout: 10_000 });
    assert.ok(apiCalls.find((c) => c.path.endsWith('/approve/') && c.path.includes('/revisions/'))?.csrf, 'sent with X-CSRF-Token');
    assert.equal((await api(`/api/events/${ids.revApprove}/`)).json().titre, 'Nuit du Coupé-Décalé, 2e édition', 'public at once');
    await first.waitFor({ state: 'detached', timeout: 10_000 });

    const second = item('Gala de Yamoussoukro');
    await second.getByRole('button', { name: 'Refuser' }).click();
    const confirm = dialog().getByRole('button', { name: 'Confirmer' });
    await dialog().getByLabel('Motif du refus').fill('Non');
    assert.equal(await confirm.isDisabled(), true);
    await dialog().getByLabel('Motif du refus').fill('Un numéro de paiement hors plateforme dans le titre.');
    await confirm.click();
    await notification('Modification refusée.').waitFor({ timeout: 10_000 });
    await page.getByText('Aucune modification d’événement publié n’attend de validation.').waitFor({ timeout: 10_000 });
    assert.equal((await api(`/api/events/${ids.revReject}/`)).json().titre, 'Gala de Yamoussoukro', 'the published title stays');
    const mine = (await api(`/api/events/${ids.revReject}/`, organizerApi)).json();
    assert.equal(mine.revision_en_attente, null);
    assert.equal(mine.derniere_revision.statut, 'REJETEE');
    assert.equal(mine.derniere_revision.motif_rejet, 'Un numéro de paiement hors plateforme dans le titre.');
    assert.equal((await api('/api/admin/stats/', staffApi)).json().pending_revisions, 0);
  });

  test('refunds: retry a failed one (the worker sends it again), settle a manual one', async () => {
    await go(`/refunds`);
    await row('Délai dépassé chez le fournisseur').getByRole('button', { name: 'Relancer' }).click();
    await dialog().getByText('même référence').waitFor();
    await dialog().getByRole('button', { name: 'Confirmer' }).click();
    await notification('Remboursement relancé.').waitFor({ timeout: 10_000 });
    await eventually(
      async () => (await ctx.database.db.select().from(refunds).where(eq(refunds.id, ids.failedRefund!)))[0]!.statut === 'REUSSI',
    );
    await row('Paiement reçu après la fin des ventes').getByRole('button', { name: 'Marquer comme réglé' }).click();
    await dialog().getByRole('button', { name: 'Confirmer' }).click();
    await notification('Remboursement enregistré.').waitFor({ timeout: 10_000 });
    assert.equal((await ctx.database.db.select().from(refunds).where(eq(refunds.id, ids.manualRefund!)))[0]!.statut, 'REUSSI');
    await page.reload();
    await row('Délai dépassé chez le fournisseur').getByText('Effectué').waitFor({ timeout: 10_000 });
  });

  test("a payment's page: its whole history, statuses and refund", async () => {
    await go(`/payments/${ids.payment0}/show`);
    await page.getByRole('table', { name: 'Historique des statuts' }).waitFor({ timeout: 10_000 });
    await page.getByRole('table', { name: 'Historique des statuts' }).getByText('REUSSI → REMBOURSE').waitFor();
    // The refund retried in the previous test: done, on the payment's page.
    await page.getByText('Remboursement', { exact: true }).waitFor();
    await page.getByText('Effectué', { exact: true }).waitFor();
    await go(`/payments`);
    await page.getByRole('region', { name: 'Totaux de la sélection' }).getByText('Remboursé').waitFor({ timeout: 10_000 });
  });

  test('events (EventAdmin): search, then the CSV of that selection is downloaded from the server', async () => {
    await go(`/events`);
    await row('Marathon').waitFor({ timeout: 10_000 });
    await page.getByPlaceholder('Titre, description, lieu').fill('zouglou');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1, null, { timeout: 10_000 });
    await row('Concert Zouglou au Palais de la Culture').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Exporter en CSV' }).click()]);
    assert.match(download.suggestedFilename(), /^spotvibe-evenements-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    // A byte-order mark first (a French spreadsheet then reads UTF-8); trim() would drop it, so split first.
    const lines = csv.split('\r\n').filter(Boolean);
    assert.equal(lines.length, 2, csv);
    assert.ok(lines[0]!.startsWith('\ufeffid;titre;organisateur;categorie'), lines[0]);
    assert.ok(lines[1]!.startsWith(`${ids.paidEvent};Concert Zouglou au Palais de la Culture;koffi-events;`), lines[1]);
    assert.match(lines[1]!, /;VALIDE;PAYANT;5000;/);
  });

  test('the journal shows each decision: who, what, before and after', async () => {
    await go(`/journal`);
    await row('Événement rejeté').waitFor({ timeout: 10_000 });
    const r = row('Événement rejeté');
    await r.getByText('moderatrice').waitFor();
    await r.getByText('EN_ATTENTE → REJETE').waitFor();
    await r.getByText('Motif : Ajoutez une affiche').waitFor();
    assert.equal(await page.locator('tbody tr', { hasText: 'Événement validé' }).count(), 3);
    await row('Remboursement relancé').waitFor();
    await row('Modification d’événement refusée').getByText('moderatrice').waitFor();
  });

  test('notification templates: change the SMS, the preview follows (segments counted), save; a broken one shows its line', async () => {
    await go(`/notification-templates`);
    await row('EVENEMENT_ANNULE').getByText('Critique').waitFor({ timeout: 10_000 });
    await row('EVENEMENT_ANNULE').getByText('SMS').waitFor();
    // Typed once the template is read (react-admin resets the form to the record it receives).
    const loaded = page.waitForResponse((r) => /\/api\/admin\/notification-templates\/\d+\/$/.test(new URL(r.url()).pathname));
    await row('EVENEMENT_ANNULE').click();
    await loaded;
    const sms = page.getByRole('region', { name: 'Aperçu du SMS' });
    const segments = sms.locator('[data-apercu=sms-segments]');
    await sms.getByText('Concert Magic System', { exact: false }).waitFor({ timeout: 10_000 });
    await segments.getByText('1 segment · GSM-7', { exact: false }).waitFor();
    // The e-mail's HTML, in a sandboxed frame (no script runs in it), with the sample values.
    const frame = page.locator('iframe[title="Aperçu HTML de l’e-mail"]');
    assert.equal(await frame.getAttribute('sandbox'), '');
    await page
      .frameLocator('iframe[title="Aperçu HTML de l’e-mail"]')
      .getByText('Concert Magic System', { exact: false })
      .first()
      .waitFor();
    await page.getByRole('region', { name: 'Aperçu de la notification push' }).getByText('Événement annulé').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Supprimer' }).count(), 0, 'a template is never deleted');

    const input = page.getByRole('textbox', { name: 'Texte du SMS' });
    await input.fill(`SpotVibe: {{ event.titre_court }} annule. ${'Detail '.repeat(22)}`);
    await segments.getByText('2 segments · GSM-7', { exact: false }).waitFor({ timeout: 10_000 });
    const text = 'SpotVibe: {{ event.titre_court }} est annule, remboursement sous 48 h.';
    await input.fill(text);
    await sms.getByText('SpotVibe: Concert Magic System est annule, remboursement sous 48 h.').waitFor({ timeout: 10_000 });
    await segments.getByText('1 segment · GSM-7', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await notification('Élément mis à jour').waitFor({ timeout: 10_000 });
    const list = (await api('/api/admin/notification-templates/', staffApi)).json() as { id: number; type_notification: string }[];
    const id = list.find((t) => t.type_notification === 'EVENEMENT_ANNULE')!.id;
    assert.equal((await api(`/api/admin/notification-templates/${id}/`, staffApi)).json().contenu_sms, text);

    // A broken template: its line under the field while typing, the channel not drawn; the save refused, nothing stored.
    await input.fill('SpotVibe:\n{{ event.prix }}');
    await page.getByRole('alert').filter({ hasText: 'ligne 2 : variable inconnue « event.prix »' }).first().waitFor({ timeout: 10_000 });
    await sms.getByText('Concert Magic System', { exact: false }).waitFor({ state: 'detached' });
    refusedSaveExpected = true;
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForFunction(() => document.querySelector('textarea[name=contenu_sms]')?.getAttribute('aria-invalid') === 'true', null, {
      timeout: 10_000,
    });
    refusedSaveExpected = false;
    assert.ok(
      apiCalls.some((c) => c.method === 'PATCH' && c.path === `/api/admin/notification-templates/${id}/`),
      'the refused save was sent',
    );
    await page.getByText('Modèle invalide, ligne 2 : variable inconnue « event.prix »', { exact: false }).first().waitFor();
    assert.equal((await api(`/api/admin/notification-templates/${id}/`, staffApi)).json().contenu_sms, text, 'refused: unchanged');
    await shot('notification-template');
  });

  test('grant a subscription with a reason: nothing sent before confirming; its page and the journal show it; extend it', async () => {
    await go(`/subscriptions`);
    const revenue = (await api('/api/admin/subscriptions/revenue/', staffApi)).json();
    const net = await page.getByRole('region', { name: 'Revenus des abonnements' }).locator('[data-figure=abonnements-net]').innerText();
    assert.equal(net.replace(/\D/g, ''), String(revenue.abonnements.total));
    await page.getByRole('button', { name: 'Octroyer un abonnement' }).click();
    const before = apiCalls.length;
    await dialog().getByLabel('Organisateur').fill('koffi');
    await page.getByRole('option', { name: 'Koffi Yao (koffi-events)' }).click();
    await dialog().getByRole('combobox', { name: 'Formule' }).click();
    await page.getByRole('option', { name: /^Professionnel \([\d\s]+F\sCFA/ }).click();
    await dialog().getByLabel('Durée (jours)').fill('45');
    const confirm = dialog().getByRole('button', { name: 'Octroyer' });
    assert.equal(await confirm.isDisabled(), true, 'a reason is required');
    await dialog().getByLabel('Motif (pour le journal)').fill('Geste commercial après la panne Orange');
    assert.ok(!apiCalls.slice(before).some((c) => c.method === 'POST'), 'nothing is sent before confirming');
    await confirm.click();
    await notification('Abonnement octroyé.').waitFor({ timeout: 10_000 });
    const subs = (await api(`/api/admin/subscriptions/?organisateur=${ids.organizer}`, staffApi)).json().results;
    assert.equal(subs.length, 1);
    const sub = subs[0];
    assert.deepEqual([sub.statut, sub.nature, sub.plan.code], ['ACTIF', 'OCTROI', 'professionnel']);
    assert.equal(new Date(sub.date_fin).getTime() - new Date(sub.date_debut).getTime(), 45 * DAY);
    assert.ok(apiCalls.find((c) => c.path === '/api/admin/subscriptions/grant/')?.csrf, 'sent with X-CSRF-Token');

    await page.waitForURL(new RegExp(`#/subscriptions/${sub.id}/show$`));
    await page.getByText(`Abonnement n° ${sub.id}`).waitFor({ timeout: 10_000 });
    const journal = page.getByRole('table', { name: 'Journal de l’abonnement' });
    await journal.getByText('Abonnement octroyé').waitFor({ timeout: 10_000 });
    await journal.getByText('Motif : Geste commercial après la panne Orange').waitFor();
    await journal.getByText('moderatrice').waitFor();

    await page.getByRole('button', { name: 'Prolonger' }).click();
    await dialog().getByLabel('Jours en plus').fill('10');
    await dialog().getByLabel('Motif (pour le journal)').fill('Report du concert');
    await dialog().getByRole('button', { name: 'Prolonger' }).click();
    await notification('Abonnement prolongé.').waitFor({ timeout: 10_000 });
    await journal.getByText('Abonnement prolongé').waitFor({ timeout: 10_000 });
    const after = (await api(`/api/admin/subscriptions/${sub.id}/`, staffApi)).json();
    assert.equal(new Date(after.date_fin).getTime() - new Date(sub.date_fin).getTime(), 10 * DAY);

    await go(`/journal`);
    await row('Abonnement octroyé').getByText('moderatrice').waitFor({ timeout: 10_000 });
    await go(`/subscriptions`);
    await row('Octroyé par le personnel').getByText('koffi-events').waitFor({ timeout: 10_000 });
  });

  test('plans: create one, then change its price; amounts in F CFA', async () => {
    await go(`/subscription-plans/create`);
    await page.getByLabel('Code').fill('festival');
    await page.getByLabel('Nom', { exact: false }).first().fill('Festival');
    await page.getByRole('spinbutton', { name: 'Prix par période (F CFA)' }).fill('2500');
    await page.getByRole('spinbutton', { name: 'Durée (jours)' }).fill('7');
    await page.getByLabel('Événements payants').check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await notification('Élément créé').waitFor({ timeout: 10_000 });
    await row('Festival')
      .getByText(/2\s500/)
      .waitFor({ timeout: 10_000 });
    type PlanJson = {
      id: number;
      code: string;
      nom: string;
      prix: number;
      duree_jours: number;
      actif: boolean;
      fonctionnalites: Record<string, unknown>;
    };
    const plan = async () =>
      ((await api('/api/admin/subscription-plans/', staffApi)).json() as PlanJson[]).find((p) => p.code === 'festival')!;
    const created = await plan();
    assert.deepEqual([created.nom, created.prix, created.duree_jours, created.actif], ['Festival', 2500, 7, true]);
    assert.equal(created.fonctionnalites.evenements_payants, true);
    // Typed once the plan is read (react-admin resets the form to the record it receives).
    const loaded = page.waitForResponse((r) => r.url().endsWith(`/api/admin/subscription-plans/${created.id}/`));
    await row('Festival').click();
    await page.waitForURL(new RegExp(`#/subscription-plans/${created.id}$`));
    await loaded;
    await eventually(async () => (await page.getByRole('spinbutton', { name: 'Prix par période (F CFA)' }).inputValue()) === '2500');
    await page.getByRole('spinbutton', { name: 'Prix par période (F CFA)' }).fill('3000');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await notification('Élément mis à jour').waitFor({ timeout: 10_000 });
    await row('Festival')
      .getByText(/3\s000/)
      .waitFor({ timeout: 10_000 });
    assert.equal((await plan()).prix, 3000);
  });

  test('deactivate a plan after a confirmation: no longer offered to organizers; the free plan cannot be', async () => {
    await go(`/subscription-plans`);
    await row('Essentiel')
      .getByText(/5\s000/)
      .waitFor({ timeout: 10_000 });
    assert.equal(await row('Gratuit').getByRole('button', { name: 'Désactiver' }).count(), 0);
    await row('Essentiel').getByRole('button', { name: 'Désactiver' }).click();
    await dialog().getByText('Désactiver la formule « Essentiel »').waitFor();
    await dialog().getByRole('button', { name: 'Confirmer' }).click();
    await notification('Formule désactivée.').waitFor({ timeout: 10_000 });
    await row('Essentiel').getByText('Désactivée').waitFor({ timeout: 10_000 });
    const offered = (await api('/api/subscriptions/plans/')).json() as { code: string }[];
    assert.ok(!offered.some((p) => p.code === 'essentiel'), JSON.stringify(offered.map((p) => p.code)));
    assert.ok(offered.some((p) => p.code === 'professionnel'));
    await go(`/journal`);
    await row('actif : true → false').getByText('Formule modifiée').waitFor({ timeout: 10_000 });
  });

  test('signing out ends the session; nothing was requested from outside the server, no script error', async () => {
    await page.getByRole('button', { name: 'Profil' }).click();
    await page.getByRole('menuitem', { name: 'Déconnexion' }).click();
    await page.getByRole('button', { name: 'Connexion' }).waitFor({ timeout: 10_000 });
    const cookies = await context.cookies();
    assert.ok(!cookies.some((c) => c.name === 'sv_admin_session'));
    assert.deepEqual(external, [], 'requests outside the server');
    assert.deepEqual(problems, [], 'console errors');
  });
});
