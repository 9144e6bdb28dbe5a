/** Which providers a process talks to: the simulator only in development, never in production. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig } from '../../config.js';
import { setupPayments } from './setup.js';
import { randomUUID } from 'node:crypto';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
const production = {
  DEBUG: 'False',
  SECRET_KEY: 'x'.repeat(50),
  ALLOWED_HOSTS: 'api.spotvibe.ci',
  PUBLIC_BASE_URL: 'https://api.spotvibe.ci',
  EMAIL_HOST: 'smtp.spotvibe.ci',
};

test('PAYMENT_SIMULATOR=true never starts the simulator with DEBUG=False', async () => {
  const runtime = await setupPayments(loadConfig({ ...production, PAYMENT_SIMULATOR: 'true', SIMULATOR_PORT: '0' }), log);
  try {
    assert.equal(runtime.simulator, null);
  } finally {
    await runtime.close();
  }
});

test('in development it starts, on its port', async () => {
  const runtime = await setupPayments(loadConfig({ DEBUG: 'True', PAYMENT_SIMULATOR: 'true', SIMULATOR_PORT: '0' }), log);
  try {
    assert.ok(runtime.simulator);
    assert.match(runtime.simulator.url, /^http:\/\/127\.0\.0\.1:\d+/);
  } finally {
    await runtime.close();
  }
});

test("a separate worker follows the server's simulator, whatever SIMULATOR_PORT the worker was given", async () => {
  const shared = { DEBUG: 'True', PAYMENT_SIMULATOR: 'auto', DATABASE_URL: `postgresql://u@127.0.0.1:1/sv_annonce_${process.pid}` };
  // The server gets SIMULATOR_PORT=0 (any free port); the worker keeps the default, where nothing listens.
  const server = await setupPayments(loadConfig({ ...shared, SIMULATOR_PORT: '0' }), log, { startSimulator: true });
  const worker = await setupPayments(loadConfig({ ...shared, SIMULATOR_PORT: '1' }), log, { startSimulator: false });
  try {
    await worker.gateways.MTN_MONEY!.initiate({
      reference: 'SV-ANNONCE-1',
      referenceFournisseur: randomUUID(),
      montant: 5000,
      telephone: '+2250500000010',
      description: 'Billet',
    });
    assert.equal(server.simulator!.state.payments.size, 1, "the worker's call reached the server's simulator");
  } finally {
    await worker.close();
    await server.close();
  }
});
