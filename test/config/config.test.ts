import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { parseSize } from '../../src/config/sizes.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** The ConfigError that loading `env` throws; fails the test when it loads. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

/** Asserts that `env` is refused with one problem that names `variable` and contains `expected`. */
function assertRefused(
  env: Record<string, string>,
  variable: string,
  expected: string | RegExp,
): ConfigError {
  const error = configError(env);
  assert.equal(error.problems.length, 1, `one problem for ${JSON.stringify(env)}: ${error.message}`);
  const problem = error.problems[0] ?? '';
  assert.ok(problem?.startsWith(`${variable}:`), `the problem names ${variable}: ${problem}`);
  if (typeof expected === 'string') assert.ok(problem.includes(expected), `"${problem}" says "${expected}"`);
  else assert.match(problem, expected);
  assert.ok(error.message.includes(problem), 'the message carries the problem');
  assert.equal(error.name, 'ConfigError');
  return error;
}

describe('loadConfig: defaults', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    assert.deepEqual(config, {
      port: 7860,
      host: '0.0.0.0',
      dataDir: path.resolve('data'),
      basePath: '',
      decoyDir: fileURLToPath(new URL('../../decoy', import.meta.url)),
      sysToken: undefined,
      store: { kind: 'local', dir: path.resolve('data', 'store') },
      allowIps: undefined,
      trustProxy: false,
      chunker: { min: 512 * KiB, avg: 2 * MiB, max: 8 * MiB },
      packSize: 64 * MiB,
      stagingLimit: 1 * GiB,
      flushIntervalMs: 10_000,
      writeMode: 'buffered',
      versionsKeep: 10,
      defaultQuota: null,
      sessionTtlMs: 30 * 24 * 3600 * 1000,
      secureCookies: undefined,
      logLevel: 'info',
      webdav: { depthInfinity: false, macFiles: 'store' },
      replication: { snapshotIntervalMs: 3_600_000, backup: null },
      gcIntervalMs: 24 * 3600 * 1000,
    });
  });

  test("the guide's backup variables: credentials in WEBDAV_URL are taken apart, the variables win", () => {
    const config = loadConfig({
      WEBDAV_URL: 'https://bob:s%40cret@dav.example.com/backup',
      WEBDAV_PASSWORD: 'from-the-variable',
      SYNC_INTERVAL: '600',
      GC_INTERVAL: '0',
    });
    assert.deepEqual(config.replication, {
      snapshotIntervalMs: 600_000,
      backup: { url: 'https://dav.example.com/backup/', username: 'bob', password: 'from-the-variable' },
    });
    assert.equal(config.gcIntervalMs, null);
  });

  test('bad backup and interval settings name the variable and never echo the URL', () => {
    assert.throws(
      () => loadConfig({ WEBDAV_URL: 'ftp://user:secret@host/', SYNC_INTERVAL: '5', GC_INTERVAL: 'soon' }),
      (error: Error) =>
        /WEBDAV_URL: expected an http:\/\/ or https:\/\/ URL/.test(error.message) &&
        /SYNC_INTERVAL: expected at least 60 seconds/.test(error.message) &&
        /GC_INTERVAL: expected/.test(error.message) &&
        !error.message.includes('secret'),
    );
    assert.throws(
      () => loadConfig({ WEBDAV_USERNAME: 'bob' }),
      /WEBDAV_URL: WEBDAV_USERNAME or WEBDAV_PASSWORD is set/,
    );
  });

  test('empty values count as unset, and unknown variables are ignored', () => {
    const config = loadConfig({ PORT: '', BASE_PATH: '', SYS_TOKEN: '', ALLOW_IPS: '', UNRELATED: 'x' });
    assert.equal(config.port, 7860);
    assert.equal(config.basePath, '');
    assert.equal(config.sysToken, undefined);
    assert.equal(config.allowIps, undefined);
  });

  test('reads process.env when given nothing', () => {
    const saved = process.env.PORT;
    process.env.PORT = '8123';
    try {
      assert.equal(loadConfig().port, 8123);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});

describe('loadConfig: values', () => {
  test('folders are resolved to absolute paths; the store folder defaults to DATA_DIR/store', () => {
    const config = loadConfig({ DATA_DIR: 'some/relative' });
    assert.equal(config.dataDir, path.resolve('some/relative'));
    assert.deepEqual(config.store, { kind: 'local', dir: path.resolve('some/relative/store') });
    const explicit = loadConfig({ DATA_DIR: '/srv/hub', LOCAL_STORE_DIR: 'blobs', DECOY_DIR: 'site' });
    assert.equal(explicit.dataDir, '/srv/hub');
    assert.deepEqual(explicit.store, { kind: 'local', dir: path.resolve('blobs') });
    assert.equal(explicit.decoyDir, path.resolve('site'));
  });

  test('PORT, HOST and SYS_TOKEN are taken as given', () => {
    const config = loadConfig({ PORT: '8080', HOST: '127.0.0.1', SYS_TOKEN: ' pass word ' });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.sysToken, ' pass word ');
    assert.equal(loadConfig({ PORT: '1' }).port, 1);
    assert.equal(loadConfig({ PORT: '65535' }).port, 65535);
  });

  test('sizes take units: bytes, k/KiB, m/MiB, g/GiB in powers of 1024 and KB/MB/GB in powers of 1000', () => {
    const config = loadConfig({
      CHUNK_MIN: '65536',
      CHUNK_AVG: '256k',
      CHUNK_MAX: '1 MiB',
      PACK_SIZE: '32mib',
      STAGING_LIMIT: '1.5GiB',
      DEFAULT_QUOTA: '10 GB',
    });
    assert.deepEqual(config.chunker, { min: 64 * KiB, avg: 256 * KiB, max: MiB });
    assert.equal(config.packSize, 32 * MiB);
    assert.equal(config.stagingLimit, 1.5 * GiB);
    assert.equal(config.defaultQuota, 10_000_000_000);
    assert.equal(loadConfig({ PACK_SIZE: '64MB' }).packSize, 64_000_000);
    assert.equal(loadConfig({ DEFAULT_QUOTA: '500KB' }).defaultQuota, 500_000);
    assert.equal(loadConfig({ DEFAULT_QUOTA: '2T' }).defaultQuota, 2 * 1024 * GiB);
  });

  test('parseSize reads sizes and refuses what is not one', () => {
    assert.equal(parseSize('512KiB'), 512 * KiB);
    assert.equal(parseSize(' 2 m '), 2 * MiB);
    assert.equal(parseSize('1.5 GB'), 1_500_000_000);
    assert.equal(parseSize('7'), 7);
    assert.equal(parseSize('7b'), 7);
    for (const bad of ['', 'MiB', '-1', '1,5MiB', '12 parsecs', '1e6', '0x10', '1.MiB', '99999999999 TiB']) {
      assert.equal(parseSize(bad), null, JSON.stringify(bad));
    }
  });

  test('durations, flags, levels and modes', () => {
    const config = loadConfig({
      FLUSH_INTERVAL: '2.5',
      SESSION_TTL: '3600',
      VERSIONS_KEEP: '0',
      SECURE_COOKIES: 'yes',
      LOG_LEVEL: 'debug',
      WRITE_MODE: 'durable',
      STORE: 'local',
    });
    assert.equal(config.flushIntervalMs, 2500);
    assert.equal(config.sessionTtlMs, 3_600_000);
    assert.equal(config.versionsKeep, 0);
    assert.equal(config.secureCookies, true);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.writeMode, 'durable');
    assert.equal(config.store.kind, 'local');
    for (const off of ['0', 'false', 'no', 'OFF'])
      assert.equal(loadConfig({ SECURE_COOKIES: off }).secureCookies, false);
    for (const on of ['1', 'true', 'Yes', 'on'])
      assert.equal(loadConfig({ SECURE_COOKIES: on }).secureCookies, true);
  });

  test('BASE_PATH is normalised to a leading slash and no trailing slash; "/" means none', () => {
    const cases: [string, string][] = [
      ['drive', '/drive'],
      ['/drive', '/drive'],
      ['/drive/', '/drive'],
      ['drive/', '/drive'],
      [' /drive ', '/drive'],
      ['/a/b/', '/a/b'],
      ['/x-m_j.~1', '/x-m_j.~1'],
      ['/', ''],
    ];
    for (const [given, want] of cases) assert.equal(loadConfig({ BASE_PATH: given }).basePath, want, given);
  });

  test('BASE_PATH refuses traversal, empty segments and characters outside a plain path', () => {
    for (const bad of [
      '/a/../b',
      '..',
      '/./x',
      '/a//b',
      '/dr ive',
      '/drive?x=1',
      '/%2e%2e',
      '/a\\b',
      '/drive#x',
    ]) {
      assertRefused({ BASE_PATH: bad }, 'BASE_PATH', 'expected a URL path such as /drive');
    }
  });

  test('ALLOW_IPS takes a comma-separated list of addresses and CIDR ranges, IPv4 and IPv6', () => {
    assert.deepEqual(loadConfig({ ALLOW_IPS: '10.0.0.0/8, 192.168.1.7 ,::1,fe80::/10' }).allowIps, [
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
      'fe80::/10',
    ]);
    assert.deepEqual(loadConfig({ ALLOW_IPS: '127.0.0.1' }).allowIps, ['127.0.0.1']);
    assert.deepEqual(loadConfig({ ALLOW_IPS: '10.0.0.1,,10.0.0.2,' }).allowIps, ['10.0.0.1', '10.0.0.2']);
  });

  test('ALLOW_IPS refuses garbage, naming the bad entries', () => {
    const cases: [string, string][] = [
      ['nonsense', 'not valid: nonsense'],
      ['10.0.0.1, bogus, 10.0.0.2', 'not valid: bogus'],
      ['10.0.0.0/33', 'not valid: 10.0.0.0/33'],
      ['::1/129', 'not valid: ::1/129'],
      ['10.0.0.256', 'not valid: 10.0.0.256'],
      ['10.0.0.0/8/1', 'not valid: 10.0.0.0/8/1'],
      // Shorthand IPv4 ("10" would be 0.0.0.10, "192.168.1" would be 192.168.0.1) is not taken.
      ['10', 'not valid: 10'],
      ['192.168.1', 'not valid: 192.168.1'],
      ['0x0a.0.0.1', 'not valid: 0x0a.0.0.1'],
    ];
    for (const [given, says] of cases) {
      const error = assertRefused(
        { ALLOW_IPS: given },
        'ALLOW_IPS',
        'expected a comma-separated list of IP addresses',
      );
      assert.ok(error.problems[0]!.includes(says), `${given}: ${error.message}`);
    }
  });

  test('ALLOW_IPS with no entry at all is refused, not an allow-list that shuts everyone out', () => {
    for (const given of [',', ' ', ' , ,']) {
      assertRefused({ ALLOW_IPS: given }, 'ALLOW_IPS', 'expected at least one IP address or CIDR range');
    }
  });

  test('TRUST_PROXY: false, true, a hop count, or a list of proxy addresses', () => {
    const cases: [string, boolean | number | string[]][] = [
      ['false', false],
      ['0', false],
      ['FALSE', false],
      ['true', true],
      ['True', true],
      ['1', 1],
      ['2', 2],
      ['10.0.0.1', ['10.0.0.1']],
      ['10.0.0.0/8, ::1', ['10.0.0.0/8', '::1']],
    ];
    for (const [given, want] of cases)
      assert.deepEqual(loadConfig({ TRUST_PROXY: given }).trustProxy, want, given);
    for (const bad of ['maybe', 'yes', '1.5', '-1', '10.0.0.1,', '10.0.0.1, proxy.local']) {
      assertRefused({ TRUST_PROXY: bad }, 'TRUST_PROXY', 'expected false, true, a number of proxy hops');
    }
  });
});

describe('loadConfig: bad values stop start-up with a message naming the variable and what it expects', () => {
  test('PORT', () => {
    assertRefused({ PORT: 'abc' }, 'PORT', 'expected a port number');
    assertRefused({ PORT: '70000' }, 'PORT', 'expected a port between 1 and 65535');
    assertRefused({ PORT: '0' }, 'PORT', 'expected a port between 1 and 65535');
    assertRefused({ PORT: '-1' }, 'PORT', 'expected a port between 1 and 65535');
    assertRefused({ PORT: '80.5' }, 'PORT', 'expected a whole port number');
  });

  test('the message shows the value that was given', () => {
    const error = assertRefused({ PORT: '70000' }, 'PORT', '(got "70000")');
    assert.match(error.message, /^Invalid configuration:\n {2}- PORT: /);
  });

  test('chunk sizes: power of two, ordering and bounds', () => {
    assertRefused({ CHUNK_AVG: '3MiB' }, 'CHUNK_AVG', 'expected a power of two');
    assertRefused({ CHUNK_MIN: '2MiB' }, 'CHUNK_MIN, CHUNK_AVG, CHUNK_MAX', 'expected min < avg < max');
    assertRefused({ CHUNK_MIN: '4MiB' }, 'CHUNK_MIN, CHUNK_AVG, CHUNK_MAX', 'expected min < avg < max');
    assertRefused({ CHUNK_MAX: '2MiB' }, 'CHUNK_MIN, CHUNK_AVG, CHUNK_MAX', 'expected min < avg < max');
    assertRefused({ CHUNK_MIN: '32KiB' }, 'CHUNK_MIN', 'expected at least 64 KiB');
    assertRefused({ CHUNK_MAX: '128MiB', PACK_SIZE: '256MiB' }, 'CHUNK_MAX', 'expected at most 64 MiB');
    assertRefused({ CHUNK_AVG: 'big' }, 'CHUNK_AVG', 'expected the average chunk as a size such as');
    assertRefused({ CHUNK_MIN: '0' }, 'CHUNK_MIN', 'expected the smallest chunk as a size such as');
    assertRefused({ CHUNK_MAX: '-8MiB' }, 'CHUNK_MAX', 'expected the largest chunk as a size such as');
  });

  test('pack and staging sizes', () => {
    assertRefused({ PACK_SIZE: '4MiB' }, 'PACK_SIZE', 'expected at least CHUNK_MAX (8 MiB)');
    assertRefused(
      { STAGING_LIMIT: '100MiB' },
      'STAGING_LIMIT',
      'expected at least twice PACK_SIZE (128 MiB)',
    );
    assertRefused(
      { PACK_SIZE: '64 parsecs' },
      'PACK_SIZE',
      'expected the target pack size as a size such as',
    );
    assertRefused({ DEFAULT_QUOTA: 'lots' }, 'DEFAULT_QUOTA', 'expected the default quota');
  });

  test('WRITE_MODE, STORE, LOG_LEVEL, SECURE_COOKIES', () => {
    assertRefused({ WRITE_MODE: 'fast' }, 'WRITE_MODE', 'expected "buffered" or "durable"');
    assertRefused({ STORE: 's3' }, 'STORE', 'expected "local"');
    assertRefused(
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL',
      'expected one of fatal, error, warn, info, debug, trace, silent',
    );
    assertRefused({ SECURE_COOKIES: 'perhaps' }, 'SECURE_COOKIES', 'expected true or false');
  });

  test('durations and counts', () => {
    assertRefused(
      { FLUSH_INTERVAL: '-1' },
      'FLUSH_INTERVAL',
      'expected the flush interval as a positive number of seconds',
    );
    assertRefused({ FLUSH_INTERVAL: '0' }, 'FLUSH_INTERVAL', 'positive number of seconds');
    assertRefused({ FLUSH_INTERVAL: '10s' }, 'FLUSH_INTERVAL', 'positive number of seconds');
    assertRefused(
      { SESSION_TTL: 'forever' },
      'SESSION_TTL',
      'expected the session lifetime as a positive number of seconds',
    );
    assertRefused({ VERSIONS_KEEP: '-1' }, 'VERSIONS_KEEP', 'expected 0 or more');
    assertRefused({ VERSIONS_KEEP: '2.5' }, 'VERSIONS_KEEP', 'expected a whole number');
  });

  test('absurdly large durations, counts and pack sizes', () => {
    assertRefused(
      { FLUSH_INTERVAL: '86401' },
      'FLUSH_INTERVAL',
      'expected the flush interval to be at most 86400 seconds (one day)',
    );
    assertRefused({ FLUSH_INTERVAL: '1e20' }, 'FLUSH_INTERVAL', 'positive number of seconds');
    assertRefused({ FLUSH_INTERVAL: '99999999999999999999' }, 'FLUSH_INTERVAL', 'at most 86400 seconds');
    assert.equal(loadConfig({ FLUSH_INTERVAL: '86400' }).flushIntervalMs, 86_400_000);
    assertRefused(
      { SESSION_TTL: String(400 * 24 * 3600 + 1) },
      'SESSION_TTL',
      'expected the session lifetime to be at most 34560000 seconds (400 days)',
    );
    assert.equal(loadConfig({ SESSION_TTL: String(400 * 24 * 3600) }).sessionTtlMs, 400 * 24 * 3600 * 1000);
    assertRefused({ VERSIONS_KEEP: '10001' }, 'VERSIONS_KEEP', 'expected at most 10000 versions per file');
    assertRefused(
      { PACK_SIZE: '5GiB', STAGING_LIMIT: '20GiB' },
      'PACK_SIZE',
      'expected the target pack size to be at most 4 GiB',
    );
    assert.equal(loadConfig({ PACK_SIZE: '4GiB', STAGING_LIMIT: '8GiB' }).packSize, 4 * GiB);
  });

  test('ALLOW_IPS=nonsense', () => {
    assertRefused(
      { ALLOW_IPS: 'nonsense' },
      'ALLOW_IPS',
      'expected a comma-separated list of IP addresses or CIDR',
    );
  });

  test('every bad variable is reported at once', () => {
    const error = configError({ PORT: 'abc', WRITE_MODE: 'fast', STORE: 's3', ALLOW_IPS: 'nonsense' });
    assert.deepEqual(error.problems.map((p) => p.slice(0, p.indexOf(':'))).sort(), [
      'ALLOW_IPS',
      'PORT',
      'STORE',
      'WRITE_MODE',
    ]);
  });
});

describe('loadConfig: SYS_TOKEN is never shown', () => {
  const token = 'Sys-T0ken-4c9e1f-never-printed';
  const bad: Record<string, string>[] = [
    { PORT: 'abc' },
    { PORT: '70000' },
    { CHUNK_AVG: '3MiB' },
    { CHUNK_MIN: '2MiB' },
    { WRITE_MODE: 'fast' },
    { STORE: 's3' },
    { FLUSH_INTERVAL: '-1' },
    { ALLOW_IPS: 'nonsense' },
    { TRUST_PROXY: 'maybe' },
    { BASE_PATH: '/a/../b' },
    { PACK_SIZE: '1MiB' },
    { PORT: 'abc', WRITE_MODE: 'fast', ALLOW_IPS: ',', LOG_LEVEL: 'loud' },
  ];

  test('no ConfigError message or problem echoes the SYS_TOKEN value', () => {
    for (const env of bad) {
      const error = configError({ ...env, SYS_TOKEN: token });
      assert.ok(!error.message.includes(token), `message for ${JSON.stringify(env)} shows SYS_TOKEN`);
      assert.ok(!error.problems.some((p) => p.includes(token)), `problems for ${JSON.stringify(env)}`);
      assert.ok(!String(error.stack).includes(token), `stack for ${JSON.stringify(env)}`);
    }
  });

  test('a valid SYS_TOKEN is kept exactly', () => {
    assert.equal(loadConfig({ SYS_TOKEN: token }).sysToken, token);
  });
});
