import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// Relative asset URLs: the server serves the UI under any BASE_PATH and injects <base href>.
export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: path.join(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2048,
  },
  server: {
    proxy: { '/api': 'http://localhost:7860' },
  },
});
