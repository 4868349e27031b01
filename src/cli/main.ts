import { serve } from './serve.js';

const USAGE = `usage: hubdrive <command>

commands:
  serve     run the drive (the default)
  help      show this help

Settings come from environment variables; see the README.
`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve'] = argv;
  switch (command) {
    case 'serve':
      return serve();
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
