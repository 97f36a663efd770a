import runnerPackage from '../package.json' with { type: 'json' };

/** The studio's version, from the runner package (what `ptp --version` and `/api/health` say). */
export const STUDIO_VERSION: string = runnerPackage.version;
