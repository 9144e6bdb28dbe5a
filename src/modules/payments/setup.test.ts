/** Which providers a process talks to: the simulator only in development, never in production. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig } from '../../config.js';
import { setupPayments } from './setup.js';

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
