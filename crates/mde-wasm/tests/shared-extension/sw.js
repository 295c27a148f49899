// The extension's module service worker (no window, no localStorage, no dynamic import).
import './arm.js';
