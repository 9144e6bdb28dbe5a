import type { AuthProvider, UserIdentity } from 'react-admin';
import { HttpError } from 'react-admin';
import { apiFetch, setCsrfToken } from './api';

type SessionBody = {
  csrf_token: string | null;
  expire_le: string | null;
  user: { id: number; username: string; full_name: string; is_superuser: boolean; roles: string[] };
};

let session: SessionBody | null = null;

const remember = (body: SessionBody) => {
  session = body;
  setCsrfToken(body.csrf_token);
};
const forget = () => {
  session = null;
  setCsrfToken(null);
};

/** The signed-in staff member (null before sign-in). */
export const currentSession = () => session;

export const authProvider: AuthProvider = {
  // The stock <LoginForm> sends {username, password}; the API takes {login, password}.
  async login({ username, password }: { username: string; password: string }) {
    try {
      const { json } = await apiFetch('/session/', { method: 'POST', body: JSON.stringify({ login: username, password }) });
      remember(json as SessionBody);
    } catch (e) {
      forget();
      // The API's French message: bad credentials, locked account, not staff.
      if (e instanceof HttpError) throw new Error(e.message);
      throw e;
    }
  },
  async logout() {
    try {
      if (session) await apiFetch('/session/', { method: 'DELETE' });
    } catch {
      /* already signed out */
    }
    forget();
  },
  // On every navigation: also gives the CSRF token back after a reload (the cookie survives, memory does not).
  async checkAuth() {
    try {
      const { json } = await apiFetch('/session/');
      remember(json as SessionBody);
    } catch {
      forget();
      throw new Error('ra.auth.auth_check_error');
    }
  },
  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      forget();
      throw new Error('Session expirée : reconnectez-vous.');
    }
    // 403 (CSRF or permission): stay signed in; the notification shows the message.
  },
  async getIdentity(): Promise<UserIdentity> {
    if (!session) await authProvider.checkAuth({});
    const u = session!.user;
    return { id: u.id, fullName: u.full_name };
  },
  async getPermissions() {
    return session?.user.roles ?? [];
  },
};
