import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into admin/dist/ and served by the SpotVibe app under /admin/ (src/modules/admin/ui-routes.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // No inline <script>: the page's CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    // react-admin + MUI make one large first chunk; the pages after sign-in are lazy chunks.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npm run dev:admin`: the interface with hot reload against `npm start` on PORT (default 8000).
    host: '127.0.0.1',
    proxy: { '/api': `http://127.0.0.1:${process.env.PORT ?? 8000}` },
  },
});
