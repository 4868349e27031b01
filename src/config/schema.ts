import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parseSize } from './sizes.js';

const size = (what: string, max?: { bytes: number; text: string }) =>
  z.string().transform((text, ctx) => {
    const bytes = parseSize(text);
    if (bytes === null || bytes <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} as a size such as 65536, 512KiB or 64MiB` });
      return z.NEVER;
    }
    if (max && bytes > max.bytes) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} to be at most ${max.text}` });
      return z.NEVER;
    }
    return bytes;
  });

const seconds = (what: string, max: { seconds: number; text: string }) =>
  z.string().transform((text, ctx) => {
    const value = Number(text);
    if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !(value > 0)) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} as a positive number of seconds` });
      return z.NEVER;
    }
    if (value > max.seconds) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${what} to be at most ${max.seconds} seconds (${max.text})`,
      });
      return z.NEVER;
    }
    return value;
  });

const DAY = 24 * 3600;

/** Seconds, or 0 for "never". */
const secondsOrOff = (what: string, max: { seconds: number; text: string }) =>
  z.string().transform((text, ctx) => {
    if (/^\s*0+(\.0+)?\s*$/.test(text)) return 0;
    const parsed = seconds(what, max).safeParse(text);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} as a number of seconds, or 0 for never` });
      return z.NEVER;
    }
    return parsed.data;
  });

/** An http(s) URL; credentials in it are taken apart by the config, never echoed. */
const webUrl = z.string().transform((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected an http:// or https:// URL of a WebDAV folder' });
    return z.NEVER;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: 'expected an http:// or https:// URL of a WebDAV folder' });
    return z.NEVER;
  }
  return url;
});

const flag = z
  .string()
  .transform((text, ctx) => {
    const t = text.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(t)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(t)) return false;
    ctx.addIssue({ code: 'custom', message: 'expected true or false' });
    return z.NEVER;
  })
  .pipe(z.boolean());

/**
 * An IPv4 address in dotted-quad form, an IPv6 address, or a CIDR range of either. Shorthand IPv4 forms
 * that ipaddr.parse would take ("10" is 0.0.0.10, "192.168.1" is 192.168.0.1) are refused: they almost
 * never mean what was intended.
 */
function isIpOrCidr(entry: string): boolean {
  return (
    ipaddr.IPv4.isValidFourPartDecimal(entry) ||
    ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) ||
    ipaddr.IPv6.isValid(entry) ||
    ipaddr.IPv6.isValidCIDR(entry)
  );
}

const ipList = z.string().transform((text, ctx) => {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const bad = entries.filter((e) => !isIpOrCidr(e));
  if (entries.length === 0) {
    // An empty allow-list would refuse every request; that is never what setting it means.
    ctx.addIssue({
      code: 'custom',
      message: 'expected at least one IP address or CIDR range (such as 10.0.0.0/8)',
    });
    return z.NEVER;
  }
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a comma-separated list of IP addresses or CIDR ranges (such as 10.0.0.0/8, ::1); not valid: ${bad.join(', ')}`,
    });
    return z.NEVER;
  }
  return entries;
});

/** false, true (trust every proxy), a hop count, or a list of trusted proxy addresses/CIDRs. */
const trustProxy = z.string().transform((text, ctx): boolean | number | string[] => {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'false' || t === '0') return false;
  if (t === 'true') return true;
  if (/^\d+$/.test(t)) return Number(t);
  const entries = t.split(',').map((e) => e.trim());
  if (entries.every(isIpOrCidr)) return entries;
  ctx.addIssue({
    code: 'custom',
    message: 'expected false, true, a number of proxy hops, or a comma-separated list of proxy IPs/CIDRs',
  });
  return z.NEVER;
});

const basePath = z.string().transform((text, ctx) => {
  let p = text.trim();
  if (p === '' || p === '/') return '';
  if (!p.startsWith('/')) p = `/${p}`;
  p = p.replace(/\/+$/, '');
  const segments = p.split('/').slice(1);
  if (segments.some((s) => s === '' || s === '.' || s === '..' || !/^[A-Za-z0-9._~-]+$/.test(s))) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a URL path such as /drive, made of letters, digits, ".", "_", "~" and "-"',
    });
    return z.NEVER;
  }
  return p;
});

export const envSchema = z.object({
  PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a whole port number')
    .min(1, 'expected a port between 1 and 65535')
    .max(65535, 'expected a port between 1 and 65535')
    .default(7860),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z
    .string()
    .min(1, 'expected a folder path')
    .default('./data')
    .transform((p) => path.resolve(p)),
  BASE_PATH: basePath.default(''),
  DECOY_DIR: z.string().min(1, 'expected a folder path').optional(),
  SYS_TOKEN: z.string().min(1, 'expected the admin password, or leave it unset').optional(),
  // Unset: "hf" when HF_DATASET_REPO is set (the deployment guide's setup), else "local".
  STORE: z.enum(['local', 'hf'], { error: 'expected "local" or "hf"' }).optional(),
  LOCAL_STORE_DIR: z.string().min(1, 'expected a folder path').optional(),
  HF_TOKEN: z
    .string()
    .regex(/^hf_[A-Za-z0-9_-]+$/, 'expected a Hugging Face access token, which starts with "hf_"')
    .optional(),
  HF_DATASET_REPO: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/,
      'expected a dataset repo id such as alice/my-drive (your user or organisation, a slash, a name)',
    )
    .optional(),
  HF_ENDPOINT: z
    .url({ error: 'expected the Hub URL, such as https://huggingface.co' })
    .default('https://huggingface.co'),
  HF_CREATE_REPO: flag.default(false),
  HF_COMMITS_PER_HOUR: z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(1, 'expected at least 1')
    .max(128, "expected at most 128, the Hub's own limit")
    .default(100),
  ALLOW_IPS: ipList.optional(),
  TRUST_PROXY: trustProxy.default(false),
  CHUNK_MIN: size('the smallest chunk').default(512 * 1024),
  CHUNK_AVG: size('the average chunk').default(2 * 1024 * 1024),
  CHUNK_MAX: size('the largest chunk').default(8 * 1024 * 1024),
  // A pack is uploaded, read back and repacked whole: beyond a few GiB every retry costs too much.
  PACK_SIZE: size('the target pack size', { bytes: 4 * 1024 ** 3, text: '4 GiB' }).default(64 * 1024 * 1024),
  STAGING_LIMIT: size('the staging disk limit').default(1024 * 1024 * 1024),
  // Longer would leave acknowledged writes off the Hub for days (and overflow timers).
  FLUSH_INTERVAL: seconds('the flush interval', { seconds: DAY, text: 'one day' }).default(10),
  WRITE_MODE: z
    .enum(['buffered', 'durable'], { error: 'expected "buffered" or "durable"' })
    .default('buffered'),
  VERSIONS_KEEP: z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(0, 'expected 0 or more')
    .max(10_000, 'expected at most 10000 versions per file')
    .default(10),
  DEFAULT_QUOTA: size('the default quota for new users').optional(),
  // Browsers cap a cookie's lifetime at 400 days.
  SESSION_TTL: seconds('the session lifetime', { seconds: 400 * DAY, text: '400 days' }).default(30 * DAY),
  SECURE_COOKIES: flag.optional(),
  // The deployment guide's names: full metadata snapshots, and their extra copy on a WebDAV server.
  SYNC_INTERVAL: seconds('the snapshot interval', { seconds: 7 * DAY, text: 'seven days' })
    .refine((s) => s >= 60, 'expected at least 60 seconds (each snapshot spends a commit)')
    .default(3600),
  WEBDAV_URL: webUrl.optional(),
  WEBDAV_USERNAME: z.string().optional(),
  WEBDAV_PASSWORD: z.string().optional(),
  GC_INTERVAL: secondsOrOff('the garbage collection interval', {
    seconds: 30 * DAY,
    text: '30 days',
  }).default(DAY),
  WEBDAV_DEPTH_INFINITY: flag.default(false),
  WEBDAV_MAC_FILES: z
    .enum(['store', 'ignore'], {
      error: 'expected "store" (keep the ._* and .DS_Store files macOS Finder writes) or "ignore"',
    })
    .default('store'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});

export type ParsedEnv = z.output<typeof envSchema>;
