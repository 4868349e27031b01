import { fsck } from './fsck.js';
import { gc } from './gc.js';
import { hubEmulator } from './hub-emulator.js';
import { serve } from './serve.js';

const USAGE = `usage: hubdrive <command>

commands:
  serve         run the drive (the default)
  gc            reclaim the space of deleted files (hubdrive gc --help)
  fsck          check the metadata against itself and the store (hubdrive fsck --help)
  hub-emulator  run a Hugging Face Hub emulator for offline tests (hubdrive hub-emulator --help)
  help          show this help

Settings come from environment variables; see the README.
`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve();
    case 'gc':
      return gc(rest);
    case 'fsck':
      return fsck(rest);
    case 'hub-emulator':
      return hubEmulator(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`hubdrive: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hubdrive: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
