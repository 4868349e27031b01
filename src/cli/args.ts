/** A command's arguments were wrong: the message goes to stderr with the usage, exit code 2. */
export class UsageError extends Error {}

/** A command's arguments, or its exit code: 0 after --help (the usage on stdout), 2 when they are wrong. */
export function commandArgs<T>(
  command: string,
  usage: string,
  argv: string[],
  parse: (argv: string[]) => T,
): { args: T } | { exit: number } {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return { exit: 0 };
  }
  try {
    return { args: parse(argv) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`hubdrive ${command}: ${error.message}\n\n${usage}`);
    return { exit: 2 };
  }
}
