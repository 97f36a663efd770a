import { errorPlace } from '@ptp/graph-core';
import { StudioApiError } from '@ptp/graph-core/client';
import { UsageError } from './cliSupport.js';

/** `--server URL`: an http(s) URL, or a usage error that shows one (said before anything connects). */
export function checkServerUrl(server: string): string {
  let url: URL | undefined;
  try {
    url = new URL(server);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new UsageError(`--server takes the studio's URL, such as http://127.0.0.1:8188; got "${server}"`);
  return server;
}

const line = (e: { code: string; message: string } & Parameters<typeof errorPlace>[0]) =>
  `${e.code}${errorPlace(e)}: ${e.message}`;

/**
 * What a CLI user reads when the server refuses or cannot be reached: the error with its node and
 * input, each further problem once (not the headline again), and for a token or a connection the
 * flag or command that fixes it.
 */
export function describeServerFailure(err: unknown, server: string, tokenGiven: boolean): string[] {
  if (err instanceof StudioApiError) {
    if (err.code === 'UNAUTHORIZED')
      return [
        tokenGiven
          ? `error UNAUTHORIZED: ${server} refused the token (--token or $PTP_TOKEN): it is not the one \`ptp serve\` was started with`
          : `error UNAUTHORIZED: ${server} needs a token: pass --token T or set PTP_TOKEN (the token \`ptp serve\` was started with)`,
      ];
    const more = (err.errors ?? []).filter((e) => e.message !== err.message).map((e) => `  ${line(e)}`);
    const first = err.errors?.length === 1 && err.errors[0]!.message === err.message ? err.errors[0]! : err;
    return [`error ${line(first)}`, ...more];
  }
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  return [`cannot reach ${server}: ${why}; is \`pnpm ptp serve\` running there?`];
}
