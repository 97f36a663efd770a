import type { StudioServer, StudioServerOptions } from '@ptp/runner/server/createStudioServer';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { ensureUiBuilt, launchBrowser } from './browser.js';
import { startServer } from './studioServer.js';

/**
 * The editor as served by a real studio server, and headless Chromium, for a whole test file:
 * started before the first test, closed after the last. Read `server` and `browser` in tests.
 */
export function useEditorServer(options: () => Partial<StudioServerOptions> = () => ({})): {
  readonly server: StudioServer;
  readonly browser: Browser;
} {
  const ctx = {} as { server: StudioServer; browser: Browser };
  beforeAll(async () => {
    ctx.server = await startServer({ uiDir: await ensureUiBuilt(), ...options() });
    ctx.browser = await launchBrowser();
  }, 600_000);
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  }, 60_000);
  return ctx;
}
