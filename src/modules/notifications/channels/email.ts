/**
 * Email delivery: SMTP (nodemailer) in production, the log in development (`EMAIL_BACKEND=console`,
 * the default when no EMAIL_HOST is set), like Django's console backend.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../../config.js';
import { ChannelError, type SendResult } from './types.js';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
}

export interface EmailChannel {
  send(message: EmailMessage): Promise<SendResult>;
  close(): void;
}

export function createEmailChannel(config: Config, log: FastifyBaseLogger): EmailChannel {
  if (config.email.backend === 'console') {
    return {
      send: async (m) => {
        log.info({ email: { to: m.to, subject: m.subject }, body: m.text }, `e-mail (console) à ${m.to} : ${m.subject}`);
        return {};
      },
      close: () => undefined,
    };
  }
  const transport: Transporter = nodemailer.createTransport({
    host: config.email.host,
    port: config.email.port,
    // Port 465 speaks TLS from the start; otherwise STARTTLS is required when EMAIL_USE_TLS is on.
    secure: config.email.port === 465,
    requireTLS: config.email.useTls && config.email.port !== 465,
    ignoreTLS: !config.email.useTls,
    ...(config.email.user ? { auth: { user: config.email.user, pass: config.email.password ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    send: async (m) => {
      try {
        const info = await transport.sendMail({
          from: config.email.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          ...(m.html ? { html: m.html } : {}),
        });
        return { providerMessageId: info.messageId };
      } catch (err) {
        // 5xx from the server is its final answer for this message (unknown mailbox…); anything else (connection
        // refused, timeout, 4xx "try later") is retried.
        const code = (err as { responseCode?: number }).responseCode;
        throw new ChannelError(`SMTP : ${(err as Error).message}`, !(code && code >= 500));
      }
    },
    close: () => transport.close(),
  };
}
