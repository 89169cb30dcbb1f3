// Types for what esbuild.mjs exports to tests.
import type { BuildOptions } from 'esbuild';
export declare const nodeBundleOptions: BuildOptions;
export declare const extensionBundleOptions: BuildOptions;
