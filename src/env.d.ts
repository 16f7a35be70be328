// Build-time constants injected by vite.config.ts.
declare const __TUBELET_VERSION__: string;
