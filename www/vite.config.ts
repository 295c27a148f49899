import { defineConfig } from 'vite';

// The dashboard imports `mde-investigations` as any user would: from node_modules, where `cargo xtask` installs
// the packed tarball. The dev server serves the package's files as they are (no pre-bundling), so that what runs
// in `npm run dev` is what a user's bundler gets.
export default defineConfig({
  base: './',
  optimizeDeps: { exclude: ['mde-investigations'] },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
});
