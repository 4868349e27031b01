import { parseArgs } from 'node:util';
import { formatSize } from '../config/sizes.js';
import type { FsckProblem, FsckReport } from '../content/consistency-check.js';
import { ProgressBar } from './progress-bar.js';
import { commandArgs, UsageError } from './args.js';
import { withOfflineApp } from './offline-app.js';

export const FSCK_USAGE = `usage: hubdrive fsck [--verify] [--repair] [--dry-run] [--json]

Compares the metadata with itself (reference counts of manifests and chunks, live bytes of packs)
and with the store (missing and resized packs, objects no pack is). Exits with 1 when problems
remain. Settings come from the same environment as \`hubdrive serve\`; it stops while a server runs
on DATA_DIR (use POST /api/admin/fsck there).
  --verify   also read every chunk back and check it against its id
  --repair   correct reference counts and live bytes (nothing else)
  --dry-run  with --repair: say what would be corrected, change nothing
  --json     print the report as JSON
`;

interface FsckArgs {
  verify: boolean;
  repair: boolean;
  dryRun: boolean;
  json: boolean;
}

function parse(argv: string[]): FsckArgs {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        verify: { type: 'boolean', default: false },
        repair: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    return { verify: values.verify, repair: values.repair, dryRun: values['dry-run'], json: values.json };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function describeProblem(problem: FsckProblem): string {
  const fields = (['manifest', 'chunk', 'pack', 'key', 'expected', 'actual', 'detail'] as const)
    .filter((name) => problem[name] !== undefined)
    .map((name) => `${name}=${problem[name] === null ? 'none' : String(problem[name])}`);
  return `  ${problem.kind} ${fields.join(' ')}`;
}

/** The report in a few lines (the problems listed one per line). */
export function describeFsck(report: FsckReport): string {
  const lines: string[] = [];
  const repaired = report.repair
    ? `; ${report.repaired} ${report.dryRun ? 'would be corrected' : 'corrected'}`
    : '';
  lines.push(`fsck: ${report.problemCount} problem${report.problemCount === 1 ? '' : 's'}${repaired}`);
  for (const problem of report.problems) lines.push(describeProblem(problem));
  if (report.problems.length < report.problemCount)
    lines.push(`  … and ${report.problemCount - report.problems.length} more`);
  const { checked } = report;
  lines.push(
    `checked ${checked.manifests} manifests, ${checked.chunks} chunks, ${checked.packs} packs, ${checked.objects} objects in the store`,
  );
  if (report.verify)
    lines.push(`verified ${checked.chunksVerified} chunks (${formatSize(checked.bytesVerified)})`);
  return `${lines.join('\n')}\n`;
}

/** `hubdrive fsck`. */
export async function fsck(argv: string[]): Promise<number> {
  const parsed = commandArgs('fsck', FSCK_USAGE, argv, parse);
  if ('exit' in parsed) return parsed.exit;
  const { args } = parsed;
  return withOfflineApp('fsck', { changesStore: false }, async (app) => {
    const bar = new ProgressBar();
    let report: FsckReport;
    try {
      report = await app.drive.maintenance.fsck({ ...args, onProgress: (p) => bar.update(p) });
    } finally {
      bar.finish();
    }
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : describeFsck(report));
    const left = report.problemCount - (report.repair && !report.dryRun ? report.repaired : 0);
    return left > 0 ? 1 : 0;
  });
}
