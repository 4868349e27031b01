import { ConfigError, loadConfig, type Config } from '../config/config.js';

/** The configuration, or null once its problems are said on stderr (the command exits with 2). */
export function loadConfigOrSay(): Config | null {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`hubdrive: ${error.message}\n`);
    return null;
  }
}
