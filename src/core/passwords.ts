/** Password hashing with argon2id (OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane). */
import { hash, verify, Algorithm } from '@node-rs/argon2';

const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (!stored.startsWith('$argon2')) return false; // unusable password (social-only accounts, anonymised)
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A value no password verifies against (Django's `set_unusable_password`). */
export const UNUSABLE_PASSWORD = '!';
