import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allTypes, requireType } from './registry.js';
import { checkTemplate, renderHtml, renderText, TemplateError } from './templates/engine.js';
import { isGsm7, smsSegments, toGsm7 } from './templates/gsm.js';
import { renderNotification } from './render.js';

test('every seeded template checks and renders, and every seeded SMS fits one GSM-7 segment', () => {
  for (const def of allTypes()) {
    for (const [field, src] of Object.entries(def.modeles)) {
      assert.doesNotThrow(() => checkTemplate(src, def.variables), `${def.type}.${field}`);
    }
    const r = renderNotification(def, null, def.variables);
    assert.deepEqual(r.secours, {}, def.type);
    if (r.sms) {
      assert.ok(isGsm7(r.sms.texte), `${def.type}: ${r.sms.texte}`);
      assert.equal(r.sms.segments, 1, `${def.type}: ${r.sms.texte.length} caractères`);
    }
    if (!def.transactionnel) assert.ok(r.titre && r.message, def.type);
  }
});

test('placeholders are escaped in the HTML email only', () => {
  const vars = ['event.titre'];
  const data = { 'event.titre': '<script>alert(1)</script> & co' };
  assert.equal(renderHtml('« {{ event.titre }} »', vars, data), '« &lt;script&gt;alert(1)&lt;/script&gt; &amp; co »');
  assert.equal(renderText('« {{ event.titre }} »', vars, data), '« <script>alert(1)</script> & co »');
});

test('si / sinon / fin', () => {
  const vars = ['motif'];
  const src = 'Annulé.{{ si motif }} Motif : {{ motif }}{{ sinon }} Sans motif.{{ fin }}';
  assert.equal(renderText(src, vars, { motif: 'Pluie' }), 'Annulé. Motif : Pluie');
  assert.equal(renderText(src, vars, { motif: '' }), 'Annulé. Sans motif.');
});

test('a bad template is refused with its line', () => {
  const vars = { 'event.titre': 'x' };
  const cases: [string, number, RegExp][] = [
    ['Bonjour\n\n{{ event.prix }}', 3, /variable inconnue « event.prix »/],
    ['a\n{{ si event.titre }}\nb', 2, /jamais fermé/],
    ['a\nb {{ fin }}', 2, /« fin » sans « si »/],
    ['a\nb\n{{ event.titre ', 3, /mal fermée/],
    ['{{ process.exit() }}', 1, /n'est pas une variable/],
    ['x <% it.constructor %>', 1, /n'est pas permis/],
    ['{{ constructor.constructor }}', 1, /variable inconnue/],
  ];
  for (const [src, line, message] of cases) {
    assert.throws(
      () => checkTemplate(src, vars),
      (err: unknown) => err instanceof TemplateError && err.line === line && message.test(err.message),
      src,
    );
  }
});

test('a stored template that renders empty or breaks falls back to the seeded default, saying why', () => {
  const def = requireType('EVENEMENT_VALIDE');
  const stored = { ...def.modeles, titre_push: '{{ si event.titre }}{{ fin }}', sujet_email: 'Sujet {{ event.titre }}' };
  const r = renderNotification(def, stored, { ...def.variables });
  assert.equal(r.push!.titre, 'Événement validé');
  assert.match(r.secours.PUSH!, /vide/);
  assert.equal(r.email!.sujet, 'Sujet Concert Magic System');
  assert.equal(r.secours.EMAIL, undefined);
  const broken = renderNotification(def, { ...def.modeles, contenu_email: '{{ inconnue }}' }, { ...def.variables });
  assert.match(broken.secours.EMAIL!, /variable inconnue/);
  assert.match(broken.email!.texte, /a été validé/);
});

test('GSM-7 against UCS-2 segment counting', () => {
  assert.deepEqual(smsSegments('é è à ù'), { encoding: 'GSM-7', units: 7, segments: 1 });
  assert.equal(smsSegments('fête').encoding, 'UCS-2');
  assert.equal(smsSegments('ç').encoding, 'UCS-2');
  assert.equal(smsSegments('a'.repeat(160)).segments, 1);
  assert.equal(smsSegments('a'.repeat(161)).segments, 2);
  assert.equal(smsSegments('€'.repeat(80)).segments, 1); // extension characters count two septets
  assert.equal(smsSegments('€'.repeat(81)).segments, 2);
  assert.equal(smsSegments('ê'.repeat(70)).segments, 1);
  assert.equal(smsSegments('ê'.repeat(71)).segments, 2);
  assert.equal(toGsm7('La fête « Noël » à Abidjan, ça démarre'), 'La fete " Noel " à Abidjan, ca démarre');
});
