import { startHubEmulator, type TokenSpec } from '../hub-emulator/index.js';
import { commandArgs, UsageError } from './args.js';

export const HUB_EMULATOR_USAGE = `usage: hubdrive hub-emulator --dir D [--port N] [--host H] [--token hf_NAME:write|read]... [--commits-per-hour N]

Runs a Hugging Face Hub emulator (dataset repos, LFS uploads, commits, downloads) until SIGTERM or
SIGINT, keeping its repos under D. Each --token adds a token of the user NAME with that role; with
none, it accepts one write token, hf_emulator, of the user "emulator".
  --port N              port to listen on (default 7861; 0 picks a free one)
  --host H              address to listen on (default 127.0.0.1)
  --commits-per-hour N  commits allowed per repo per rolling hour (default 128)
`;

interface EmulatorArgs {
  dir: string;
  port: number;
  host: string;
  tokens: TokenSpec[];
  commitsPerHour?: number;
}

function integer(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(`${flag} expects an integer of at least ${min}, not "${text}"`);
  }
  return value;
}

function parseToken(text: string): TokenSpec {
  const match = /^(hf_[A-Za-z0-9_-]+):(read|write)$/.exec(text);
  if (!match) throw new UsageError(`--token expects hf_NAME:write or hf_NAME:read, not "${text}"`);
  return { token: match[1]!, role: match[2] as 'read' | 'write' };
}

function parseArgs(argv: string[]): EmulatorArgs {
  const parsed: Partial<EmulatorArgs> & { tokens: TokenSpec[] } = { tokens: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    i++;
    switch (flag) {
      case '--dir':
        parsed.dir = value;
        break;
      case '--port':
        parsed.port = integer(flag, value, 0);
        break;
      case '--host':
        parsed.host = value;
        break;
      case '--token':
        parsed.tokens.push(parseToken(value));
        break;
      case '--commits-per-hour':
        parsed.commitsPerHour = integer(flag, value, 1);
        break;
      default:
        throw new UsageError(`unknown option "${flag}"`);
    }
  }
  if (!parsed.dir) throw new UsageError('--dir is required');
  return {
    dir: parsed.dir,
    port: parsed.port ?? 7861,
    host: parsed.host ?? '127.0.0.1',
    tokens: parsed.tokens,
    commitsPerHour: parsed.commitsPerHour,
  };
}

/** `hubdrive hub-emulator`: serves the Hub emulator until SIGTERM or SIGINT. */
export async function hubEmulator(argv: string[]): Promise<number> {
  const parsed = commandArgs('hub-emulator', HUB_EMULATOR_USAGE, argv, parseArgs);
  if ('exit' in parsed) return parsed.exit;
  const { args } = parsed;
  const emulator = await startHubEmulator({
    dir: args.dir,
    port: args.port,
    host: args.host,
    tokens: args.tokens.length > 0 ? args.tokens : undefined,
    commitsPerHour: args.commitsPerHour,
  });
  process.stdout.write(`hub emulator: serving ${emulator.url} (repos under ${args.dir})\n`);
  if (args.tokens.length === 0) {
    process.stdout.write('hub emulator: token hf_emulator (write, user "emulator")\n');
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await emulator.close();
  process.stdout.write('hub emulator: stopped\n');
  return 0;
}
