import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createNodeRegistry } from '@ptp/nodes';
import { createApp } from '../../server/createApp.js';
import { EXIT, UsageError, type Command } from '../cliSupport.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export const serveCommand: Command = async (args, io) => {
  const { values } = parseArgs({
    args,
    options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8188' }, token: { type: 'string' } },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer 0..65535, got "${values.port}"`);
  // Anything beyond loopback is reachable by others: refuse to expose it without a token.
  if (!LOOPBACK.has(values.host) && !values.token) throw new UsageError(`binding to ${values.host} exposes the studio beyond this machine; pass --token`);
  const app = createApp({ registry: createNodeRegistry() });
  const server = app.listen(port, values.host);
  await once(server, 'listening');
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  io.out(`PtP Studio server listening on http://${values.host.includes(':') ? `[${values.host}]` : values.host}:${actualPort}`);
  io.out('Serving the API only (the editor UI is not part of this build yet).');
  const stop = () => server.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await once(server, 'close');
  return EXIT.ok;
};
