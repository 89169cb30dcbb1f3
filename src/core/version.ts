import manifest from '../../package.json';

/** The product version, from package.json so the CLI, the extension and the .vsix never disagree. */
export const TIERCEL_VERSION: string = manifest.version;
