// Builds the dashboard into web/dist, which `vigil serve` serves. No inline scripts or styles: the server's
// Content-Security-Policy allows only files from its own origin.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0, modulePreload: { polyfill: false }, target: 'es2022' },
});
