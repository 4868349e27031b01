import { createHubdrive } from '../app/hubdrive.js';
import { loadConfigOrSay } from './load-config.js';

/** `hubdrive serve`: runs the drive until SIGTERM or SIGINT, then flushes and exits. */
export async function serve(): Promise<number> {
  const config = loadConfigOrSay();
  if (!config) return 2;
  const app = await createHubdrive(config);
  if (config.sysToken && config.sysToken.length < 12) {
    app.logger.warn('SYS_TOKEN is shorter than 12 characters; anyone who guesses it is the admin');
  }
  const address = await app.listen();
  app.logger.info(
    { address, basePath: config.basePath || '/', store: app.store.kind },
    'hubdrive is serving',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      app.logger.info({ signal }, 'shutting down: flushing pending writes to the store');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await app.close();
  app.logger.info('stopped');
  return 0;
}
