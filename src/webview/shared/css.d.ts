/** A page imports its stylesheet for esbuild to emit dist/webview/<view>.css beside its script. */
declare module '*.css';
