import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { PNG } from 'pngjs';
import jsQRModule from 'jsqr';
import { PDFParse } from 'pdf-parse';
import { loadConfig } from '../../../config.js';
import { checkModuleConfig } from '../../../runtime.js';
import {
  deriveTicketSigningKey,
  formatTicketCode,
  generateTicketCode,
  keyFromSeed,
  keyRing,
  normalizeTicketCode,
  parseTicketSigningKey,
  qrPng,
  qrSvg,
  renderTicketPdf,
  signTicketPayload,
  ticketSigningKey,
  toWinAnsi,
  verifyTicketPayload,
} from './index.js';

// jsqr is CommonJS with an ES-style `export default` in its types: under NodeNext the callable is `.default`.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

const key = deriveTicketSigningKey('une-cle-secrete-de-test-suffisamment-longue');
const ring = keyRing(key);
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

test('ticket codes: 12 characters, unique, shown as XXXX-XXXX-XXXX, typed loosely', () => {
  const codes = new Set(Array.from({ length: 2000 }, generateTicketCode));
  assert.equal(codes.size, 2000);
  const code = [...codes][0]!;
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{12}$/);
  assert.equal(normalizeTicketCode(code), code);
  assert.match(formatTicketCode(code), /^.{4}-.{4}-.{4}$/);
  assert.equal(normalizeTicketCode(` ${formatTicketCode(code).toLowerCase()} `), code);
  // O typed for 0 and I or L for 1 are read as the digits: take a valid code starting with 0 and 1.
  const body = '01' + code.slice(2, 11);
  const withZeroOne = body + [...ALPHABET].find((c) => normalizeTicketCode(body + c))!;
  assert.equal(normalizeTicketCode('oI' + withZeroOne.slice(2)), withZeroOne);
  assert.equal(normalizeTicketCode('OL' + withZeroOne.slice(2)), withZeroOne);
  assert.equal(normalizeTicketCode('ABC'), null);
  assert.equal(normalizeTicketCode(code + '0'), null);
  assert.equal(normalizeTicketCode(code.slice(0, 11) + 'U'), null);
});

test('a mistyped code (any single wrong character) is caught by the check character', () => {
  const code = generateTicketCode();
  for (let i = 0; i < code.length; i++) {
    for (const c of ALPHABET) {
      if (c === code[i]) continue;
      assert.equal(normalizeTicketCode(code.slice(0, i) + c + code.slice(i + 1)), null, `position ${i}, ${c}`);
    }
  }
});

test('a signed payload verifies and gives back the ticket; it fits a QR code comfortably', () => {
  const code = generateTicketCode();
  const payload = signTicketPayload(key, { ticketId: 42, eventId: 7, code });
  assert.ok(payload.length < 200, `${payload.length} caractères`);
  assert.deepEqual(verifyTicketPayload(payload, ring), { ok: true, claims: { ticketId: 42, eventId: 7, code }, keyId: key.keyId });
});

test('forged or altered payloads are refused', () => {
  const code = generateTicketCode();
  const payload = signTicketPayload(key, { ticketId: 42, eventId: 7, code });
  const [prefix, body, sig] = payload.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  const reason = (p: string) => {
    const r = verifyTicketPayload(p, ring);
    return r.ok ? 'accepté' : r.reason;
  };

  // Another ticket id (or event) under the original signature.
  const altered = Buffer.from(JSON.stringify({ ...claims, t: 43 })).toString('base64url');
  assert.equal(reason(`${prefix}.${altered}.${sig}`), 'signature invalide');
  const otherEvent = Buffer.from(JSON.stringify({ ...claims, e: 8 })).toString('base64url');
  assert.equal(reason(`${prefix}.${otherEvent}.${sig}`), 'signature invalide');
  // One flipped bit of the signature.
  const bad = Buffer.from(sig, 'base64url');
  bad[10] = bad[10]! ^ 1;
  assert.equal(reason(`${prefix}.${body}.${bad.toString('base64url')}`), 'signature invalide');
  // An attacker's own key, claiming our key id.
  const attacker = keyFromSeed(Buffer.alloc(32, 7));
  const forgedBody = Buffer.from(JSON.stringify({ ...claims, t: 99 })).toString('base64url');
  const forgedSig = sign(null, Buffer.from(`SV1.${forgedBody}`), attacker.privateKey).toString('base64url');
  assert.equal(reason(`SV1.${forgedBody}.${forgedSig}`), 'signature invalide');
  // The attacker's key under its own id is simply unknown.
  assert.equal(reason(signTicketPayload(attacker, { ticketId: 42, eventId: 7, code })), 'clé de signature inconnue');
  // Truncated, other version, garbage, empty, prototype tricks.
  assert.equal(reason(payload.slice(0, -1)), 'format de billet inconnu');
  assert.equal(reason(payload.replace(/^SV1/, 'SV2')), 'format de billet inconnu');
  assert.equal(reason(''), 'format de billet inconnu');
  assert.equal(
    reason(`SV1.${Buffer.from(JSON.stringify({ ...claims, k: '__proto__' })).toString('base64url')}.${sig}`),
    'clé de signature inconnue',
  );
  // A non-canonical twin of the signature: 64 bytes leave 4 unused low bits in the last character, so
  // flipping one of them decodes to the same bytes. One ticket must have exactly one valid string.
  const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const twin = sig.slice(0, -1) + B64URL[B64URL.indexOf(sig.at(-1)!) ^ 1];
  assert.deepEqual(Buffer.from(twin, 'base64url'), Buffer.from(sig, 'base64url'));
  assert.equal(reason(`${prefix}.${body}.${twin}`), 'encodage non canonique');
});

test('a genuine signature over a malformed ticket is still refused', () => {
  const body = Buffer.from(JSON.stringify({ k: key.keyId, t: -1, e: 7, c: 'ABC' })).toString('base64url');
  const s = sign(null, Buffer.from(`SV1.${body}`), key.privateKey).toString('base64url');
  assert.deepEqual(verifyTicketPayload(`SV1.${body}.${s}`, ring), { ok: false, reason: 'contenu de billet invalide' });
  assert.throws(() => signTicketPayload(key, { ticketId: 1, eventId: 1, code: 'PASUNCODE' }));
});

test('key rotation: tickets signed with a retired key still verify when it stays in the ring', () => {
  const next = keyFromSeed(Buffer.alloc(32, 1));
  const old = signTicketPayload(key, { ticketId: 1, eventId: 2, code: generateTicketCode() });
  assert.equal(verifyTicketPayload(old, keyRing(next)).ok, false);
  assert.equal(verifyTicketPayload(old, keyRing(next, key)).ok, true);
});

test('signing key: derived from SECRET_KEY deterministically and per secret, or read from PEM / base64 seed', () => {
  assert.equal(deriveTicketSigningKey('a'.repeat(40)).publicKeyRaw, deriveTicketSigningKey('a'.repeat(40)).publicKeyRaw);
  assert.notEqual(deriveTicketSigningKey('a'.repeat(40)).publicKeyRaw, deriveTicketSigningKey('b'.repeat(40)).publicKeyRaw);
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const fromPem = parseTicketSigningKey(pem.replace(/\n/g, '\\n'));
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  assert.equal(parseTicketSigningKey(seed.toString('base64')).publicKeyRaw, fromPem.publicKeyRaw);
  assert.equal(parseTicketSigningKey(seed.toString('base64url')).publicKeyRaw, fromPem.publicKeyRaw);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.throws(() => parseTicketSigningKey(ec), /Ed25519/);
  assert.throws(() => parseTicketSigningKey('pas une clé'), /TICKET_SIGNING_PRIVATE_KEY/);
  // Through the configuration: a bad key stops the boot, a good one is used, none means derived.
  assert.throws(() => checkModuleConfig(loadConfig({ TICKET_SIGNING_PRIVATE_KEY: 'abc' })), /TICKET_SIGNING_PRIVATE_KEY/);
  const config = loadConfig({ TICKET_SIGNING_PRIVATE_KEY: seed.toString('base64') });
  assert.equal(ticketSigningKey(config).publicKeyRaw, fromPem.publicKeyRaw);
  const dev = loadConfig({});
  assert.equal(ticketSigningKey(dev).publicKeyRaw, deriveTicketSigningKey(dev.secretKey).publicKeyRaw);
});

test('QR PNG is a real PNG that decodes back to the payload; QR SVG is a standalone SVG', async () => {
  const payload = signTicketPayload(key, { ticketId: 12345, eventId: 678, code: generateTicketCode() });
  const png = await qrPng(payload, 400);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const image = PNG.sync.read(png);
  assert.equal(image.width, 400);
  const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  assert.equal(decoded?.data, payload);
  const svg = await qrSvg(payload);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"/);
  assert.match(svg, /<path[^>]+d="M/);
  assert.match(svg.trim(), /<\/svg>$/);
  assert.doesNotMatch(svg, /<script|href=/);
});

test('PDF ticket: a valid one-page PDF with the event, place, holder, ticket type, code and the QR image', async () => {
  const code = generateTicketCode();
  const payload = signTicketPayload(key, { ticketId: 5, eventId: 9, code });
  const pdf = await renderTicketPdf({
    payload,
    code,
    eventTitle: 'Festival des Grillades 🎉 d’Abidjan',
    eventStart: new Date('2026-03-14T19:30:00Z'),
    eventEnd: new Date('2026-03-14T23:00:00Z'),
    place: 'Palais de la Culture, Treichville',
    holderName: 'Aïcha Koné',
    ticketType: 'VIP',
    price: 15000,
    reference: 'SV-ABC123',
  });
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.match(pdf.subarray(-16).toString('latin1'), /%%EOF\s*$/);
  assert.match(pdf.toString('latin1'), /\/Subtype \/Image/);
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const text = (await parser.getText()).text;
    for (const expected of [
      'Festival des Grillades d’Abidjan',
      'samedi 14 mars 2026',
      '19:30',
      'Palais de la Culture, Treichville',
      'Aïcha Koné',
      'VIP',
      '15 000 F CFA',
      formatTicketCode(code),
      'SV-ABC123',
    ]) {
      assert.ok(text.includes(expected), `« ${expected} » absent du PDF :\n${text}`);
    }
    assert.doesNotMatch(text, /Ø=Þ|\uFFFD/);
    assert.equal((await parser.getInfo()).total, 1);
  } finally {
    await parser.destroy();
  }
});

test('a very long title, place or name still gives one page with a readable QR code', async () => {
  const code = generateTicketCode();
  const pdf = await renderTicketPdf({
    payload: signTicketPayload(key, { ticketId: 1, eventId: 1, code }),
    code,
    eventTitle: 'Très long titre '.repeat(40),
    eventStart: new Date('2026-03-14T19:30:00Z'),
    place: 'Un lieu interminable '.repeat(20),
    holderName: 'N'.repeat(200),
    ticketType: 'Standard',
  });
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    assert.equal((await parser.getInfo()).total, 1);
    assert.ok((await parser.getText()).text.includes(formatTicketCode(code)));
  } finally {
    await parser.destroy();
  }
});

test('text is folded into what the PDF font can draw', () => {
  assert.equal(toWinAnsi('Élégance – « fête » œuvre €'), 'Élégance – « fête » œuvre €');
  assert.equal(toWinAnsi('Soirée 🎉🔥 Zouglou'), 'Soirée Zouglou');
  assert.equal(toWinAnsi('Ṁaquis\tŁagune'), 'Maquis ?agune');
});
