import { parseArgs } from 'node:util';
import { formatSize } from '../config/sizes.js';
import { DEFAULT_GC_LIVE_RATIO, type GcReport } from '../content/garbage-collector.js';
import { ProgressBar } from './progress-bar.js';
import { commandArgs, UsageError } from './args.js';
import { withOfflineApp } from './offline-app.js';

export const GC_USAGE = `usage: hubdrive gc [--dry-run] [--threshold R] [--json]

Reclaims the space of deleted files: drops chunks that no version (nor anything in the trash) uses,
rewrites packs whose live bytes are under R of their size (default ${DEFAULT_GC_LIVE_RATIO}), deletes the old
packs and objects no pack is, and on a Hugging Face repo squashes its history so that the repo's
storage really drops (irreversible). Settings come from the same environment as \`hubdrive serve\`;
it stops while a server runs on DATA_DIR (use POST /api/admin/gc there).
  --dry-run      say what would be dropped, rewritten and deleted; change nothing
  --threshold R  rewrite packs less than R live (0 to below 1)
  --json         print the report as JSON
`;

function parse(argv: string[]): { dryRun: boolean; liveRatio: number; json: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'dry-run': { type: 'boolean', default: false },
        threshold: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const text = values.threshold;
  const liveRatio = text === undefined ? DEFAULT_GC_LIVE_RATIO : Number(text);
  if (text !== undefined && (!/^\d*\.?\d+$/.test(text) || liveRatio >= 1)) {
    throw new UsageError(`--threshold expects a share from 0 to below 1, such as 0.8, not "${text}"`);
  }
  return { dryRun: values['dry-run'], liveRatio, json: values.json };
}

/** The report in a few lines. */
export function describeGc(report: GcReport): string {
  const [drop, rewrite, del, squash] = report.dryRun
    ? ['would drop', 'would rewrite', 'would delete', 'would squash']
    : ['dropped', 'rewrote', 'deleted', 'squashed'];
  const lines = [
    `${report.dryRun ? 'gc (dry run)' : 'gc'}: ${drop} ${report.chunksDropped} unreferenced chunks (${formatSize(report.bytesDropped)})`,
    `  ${rewrite} ${report.packsRepacked} packs: ${formatSize(report.bytesMoved)} moved into ${report.packsWritten} new packs`,
    `  ${del} ${report.packsDeleted} packs and ${report.orphansDeleted} orphan objects`,
  ];
  if (report.historyReclaimed) lines.push(`  ${squash} the store's history to return the space`);
  const used = (bytes: number | null) => (bytes === null ? '' : `, ${formatSize(bytes)} used`);
  lines.push(
    report.dryRun
      ? `  store: ${formatSize(report.storeBytesBefore)} listed${used(report.usageBefore)}`
      : `  store before: ${formatSize(report.storeBytesBefore)} listed${used(report.usageBefore)}; after: ${formatSize(report.storeBytesAfter)} listed${used(report.usageAfter)}`,
  );
  return `${lines.join('\n')}\n`;
}

/** `hubdrive gc`. */
export async function gc(argv: string[]): Promise<number> {
  const parsed = commandArgs('gc', GC_USAGE, argv, parse);
  if ('exit' in parsed) return parsed.exit;
  const { args } = parsed;
  return withOfflineApp('gc', { changesStore: !args.dryRun }, async (app) => {
    const bar = new ProgressBar();
    let report: GcReport;
    try {
      report = await app.drive.maintenance.gc({
        dryRun: args.dryRun,
        liveRatio: args.liveRatio,
        onProgress: (p) => bar.update(p),
      });
    } finally {
      bar.finish();
    }
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : describeGc(report));
    return 0;
  });
}
