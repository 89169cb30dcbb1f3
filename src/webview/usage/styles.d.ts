// esbuild bundles a page's CSS imports into dist/webview/<view>.css; to TypeScript they are side effects only.
declare module '*.css';
