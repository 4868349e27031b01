// No Docker engine runs here: these tests read the Dockerfile, .dockerignore and docker-compose.yml and
// check every command, path, port and variable they name against the repo, package.json and the config.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/config.js';
import { envSchema } from '../../src/config/schema.js';
import { startApp } from '../helpers/app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions: comments dropped, continuation lines joined. */
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue; // Docker drops comment lines, even inside a continuation.
    const continued = /\\\s*$/.test(line);
    pending += `${continued ? line.replace(/\\\s*$/, '') : line} `;
    if (continued) continue;
    if (pending.trim() !== '') logical.push(pending.trim().replace(/\s+/g, ' '));
    pending = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const [image = '', as, name] = args.split(' ');
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    assert.ok(stage, `"${line}" comes before the first FROM`);
    stage.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

function one(stage: Stage, keyword: string): string {
  const found = all(stage, keyword);
  assert.equal(found.length, 1, `one ${keyword} in the stage from ${stage.image}`);
  return found[0]!.args;
}

/** The exec form (a JSON array), which runs without a shell and receives signals itself. */
function execForm(args: string): string[] {
  assert.ok(args.startsWith('['), `exec form expected: ${args}`);
  const parsed: unknown = JSON.parse(args);
  assert.ok(Array.isArray(parsed) && parsed.every((a) => typeof a === 'string'), args);
  return parsed;
}

/** ENV K=V K2=V2 (no quoting: values here are plain). */
function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const args of all(stage, 'ENV').map((i) => i.args)) {
    for (const pair of args.split(' ')) {
      const [name = '', ...value] = pair.split('=');
      assert.ok(value.length > 0, `ENV in the K=V form: ${args}`);
      env.set(name, value.join('='));
    }
  }
  return env;
}

interface Copy {
  from: string | undefined;
  sources: string[];
  /** Where each source lands, absolute in the image. */
  targets: string[];
  /** The instruction's index in its stage. */
  index: number;
}

/** COPY [--from=stage] [--chown=…] src… dest, resolved against the WORKDIR in force at that point. */
function copiesOf(stage: Stage): Copy[] {
  const copies: Copy[] = [];
  let workdir = '/';
  stage.instructions.forEach((instruction, index) => {
    if (instruction.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, instruction.args);
    if (instruction.keyword !== 'COPY') return;
    const words = instruction.args.split(' ');
    const flags = words.filter((w) => w.startsWith('--'));
    const paths = words.filter((w) => !w.startsWith('--'));
    const dest = paths.pop()!;
    const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
    const intoFolder = dest.endsWith('/');
    assert.ok(paths.length === 1 || intoFolder, `COPY of several sources into a folder ending in /: ${dest}`);
    // A file copied into a folder keeps its name; a folder's contents land in dest itself.
    const targets = paths.map((source) =>
      path.posix.resolve(
        workdir,
        intoFolder && !source.endsWith('/') && !isFolder(from, source)
          ? `${dest}${path.posix.basename(source)}`
          : dest,
      ),
    );
    copies.push({ from, sources: paths, targets, index });
  });
  return copies;
}

/** Whether a COPY source is a folder: in the repo for the build context; by name for another stage. */
function isFolder(from: string | undefined, source: string): boolean {
  if (from !== undefined) return !path.posix.extname(source);
  return existsSync(path.join(ROOT, source)) && statSync(path.join(ROOT, source)).isDirectory();
}

/** Where `relative` (a path under the app folder) is in the image, per the stage's COPY lines. */
function placedAt(stage: Stage, relative: string, from?: string): string | undefined {
  for (const copy of copiesOf(stage).filter((c) => c.from === from)) {
    for (const [i, source] of copy.sources.entries()) {
      const name = from === undefined ? path.posix.normalize(source).replace(/\/$/, '') : source;
      if (relative === name || relative.startsWith(`${name}/`)) {
        return path.posix.join(copy.targets[i]!, relative.slice(name.length));
      }
    }
  }
  return undefined;
}

/** The stage's WORKDIR at its end. */
function workdirOf(stage: Stage): string {
  return all(stage, 'WORKDIR').reduce((dir, i) => path.posix.resolve(dir, i.args), '/');
}

/** A minimal .dockerignore matcher: names, `*` within a segment, `!` exceptions; the last match wins. */
function ignoredByDockerignore(relative: string): boolean {
  let ignored = false;
  for (const raw of read('.dockerignore').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
    const regex = new RegExp(
      `^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`,
    );
    if (regex.test(relative)) ignored = !negate;
  }
  return ignored;
}

interface PackageJson {
  scripts: Record<string, string>;
  bin: Record<string, string>;
  engines: { node: string };
  type: string;
}

const pkg = JSON.parse(read('package.json')) as PackageJson;
const stages = parseDockerfile(read('Dockerfile'));
const runtime = stages.at(-1)!;
const runtimeEnv = envOf(runtime);
const defaults = loadConfig({});
const RUNTIME_USERS = ['node', '1000', 'node:node', '1000:1000'];

describe('Dockerfile', () => {
  test('builds on the official Node 20 Debian slim image, which the engines field allows', () => {
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    const minimum = Number(/^>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
    for (const stage of stages) {
      assert.equal(stage.image, 'node:20-bookworm-slim');
      const major = Number(/^node:(\d+)-/.exec(stage.image)?.[1]);
      assert.ok(major >= minimum, `node ${major} satisfies engines ${pkg.engines.node}`);
    }
  });

  test("CMD runs the package's start script, whose file is in the repo and in the image", () => {
    const cmd = execForm(one(runtime, 'CMD'));
    assert.equal(cmd.join(' '), pkg.scripts.start);
    const script = cmd[1]!;
    assert.ok(existsSync(path.join(ROOT, script)), `${script} exists`);
    assert.equal(Object.values(pkg.bin)[0], script, 'the same file as the hubdrive command');
    assert.equal(placedAt(runtime, script), path.posix.join(workdirOf(runtime), script));
  });

  test('the runtime has what the start script loads, at the same places relative to the app', () => {
    const app = workdirOf(runtime);
    const build = stages.find((s) => s.name !== undefined && s !== runtime)!;
    // bin/hubdrive.js imports the build; the build is ESM because package.json says "type": "module".
    const binImport = /import '(.+)'/.exec(read('bin/hubdrive.js'))?.[1];
    assert.ok(binImport, 'bin/hubdrive.js imports the build');
    const entry = path.posix.join('bin', binImport);
    assert.equal(pkg.type, 'module');
    // The default DECOY_DIR is decoy/ beside dist/.
    assert.equal(path.relative(ROOT, defaults.decoyDir), 'decoy');
    for (const needed of ['package.json', 'node_modules/better-sqlite3', entry, 'decoy/index.html']) {
      const fromBuild = placedAt(runtime, path.posix.join(workdirOf(build), needed), build.name);
      const fromContext = placedAt(runtime, needed);
      assert.equal(fromBuild ?? fromContext, path.posix.join(app, needed), `${needed} in the image`);
    }
  });

  test('every COPY from the build context exists in the repo and is not in .dockerignore', () => {
    for (const stage of stages) {
      for (const copy of copiesOf(stage).filter((c) => c.from === undefined)) {
        for (const source of copy.sources) {
          assert.ok(existsSync(path.join(ROOT, source)), `${source} exists`);
          assert.ok(!ignoredByDockerignore(path.posix.normalize(source)), `${source} is not ignored`);
        }
      }
    }
  });

  test('every COPY --from the build stage names something the stage copied or built', () => {
    const tsBuild = JSON.parse(read('tsconfig.build.json')) as {
      extends: string;
      include: string[];
      compilerOptions: { outDir: string };
    };
    for (const copy of copiesOf(runtime).filter((c) => c.from !== undefined)) {
      const build = stages.find((s) => s.name === copy.from);
      assert.ok(build, `a stage named ${copy.from}`);
      const runs = all(build, 'RUN').map((i) => i.args);
      for (const source of copy.sources) {
        const relative = path.posix.relative(workdirOf(build), source);
        assert.ok(!relative.startsWith('..'), `${source} is under the build stage's WORKDIR`);
        if (placedAt(build, relative) !== undefined) continue;
        assert.ok(
          runs.some((r) => /\bnpm ci\b/.test(r)),
          `${source} comes from npm ci: node_modules, and dist/ through the prepare script`,
        );
        if (relative === 'node_modules') continue;
        assert.equal(relative, tsBuild.compilerOptions.outDir, `${source} is the TypeScript build`);
        assert.equal(pkg.scripts.prepare, 'npm run build', 'npm ci runs prepare, which builds');
        assert.match(pkg.scripts.build ?? '', /tsc -p tsconfig\.build\.json/);
        // The build's inputs are in the stage before npm ci runs.
        const ci = build.instructions.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
        for (const input of [
          'tsconfig.build.json',
          tsBuild.extends,
          ...tsBuild.include,
          'package-lock.json',
        ]) {
          const name = path.posix.normalize(input);
          const before: Stage = { ...build, instructions: build.instructions.slice(0, ci) };
          assert.equal(
            placedAt(before, name),
            path.posix.join(workdirOf(before), name),
            `${name} is copied into the build stage, at the same place, before npm ci`,
          );
        }
      }
    }
  });

  test('every `npm run X` names a script in package.json, and the dev dependencies are pruned', () => {
    const runs = stages.flatMap((s) => all(s, 'RUN').map((i) => i.args));
    for (const run of runs) {
      for (const [, script] of run.matchAll(/\bnpm run ([\w:-]+)/g)) {
        assert.ok(pkg.scripts[script!], `package.json has the script ${script}`);
      }
    }
    const buildRuns = stages.filter((s) => s !== runtime).flatMap((s) => all(s, 'RUN').map((i) => i.args));
    assert.ok(
      buildRuns.some((r) => /\bnpm prune --omit=dev\b/.test(r)),
      'npm prune --omit=dev',
    );
    // Compilers are installed in the build stage only.
    assert.ok(buildRuns.some((r) => /apt-get install .*\bpython3\b.*\bmake\b.*\bg\+\+/.test(r)));
    assert.ok(!all(runtime, 'RUN').some((i) => /apt-get install/.test(i.args)), 'no compilers at runtime');
  });

  test('EXPOSE and ENV PORT are the configured default port', () => {
    assert.equal(Number(one(runtime, 'EXPOSE')), defaults.port);
    assert.equal(Number(runtimeEnv.get('PORT')), defaults.port);
    assert.equal(loadConfig({ PORT: runtimeEnv.get('PORT') }).port, defaults.port);
  });

  test('runs as uid 1000, and DATA_DIR is absolute and made writable for it before USER', () => {
    const user = one(runtime, 'USER');
    // The official node image's `node` user has uid 1000, the uid a Hugging Face Space runs as.
    assert.ok(RUNTIME_USERS.includes(user), `USER ${user}`);
    const dataDir = runtimeEnv.get('DATA_DIR');
    assert.ok(dataDir && path.posix.isAbsolute(dataDir), `DATA_DIR absolute: ${dataDir}`);
    assert.equal(loadConfig({ DATA_DIR: dataDir }).dataDir, dataDir, 'the config takes it as is');
    const userAt = runtime.instructions.findIndex((i) => i.keyword === 'USER');
    const owned = runtime.instructions.findIndex((i, index) => {
      if (i.keyword !== 'RUN' || index > userAt) return false;
      const made = /\bmkdir -p (\S+)/.exec(i.args)?.[1];
      const chown = /\bchown (?:-R )?(\S+) (\S+)/.exec(i.args);
      return (
        made === dataDir &&
        chown !== null &&
        RUNTIME_USERS.includes(chown[1]!) &&
        (dataDir === chown[2] || dataDir.startsWith(`${chown[2]}/`))
      );
    });
    assert.ok(owned >= 0, `a RUN before USER makes ${dataDir} and gives it to uid 1000`);
    // The local store and staging default to folders inside DATA_DIR.
    const config = loadConfig({ DATA_DIR: dataDir });
    assert.ok(config.store.kind === 'local' && config.store.dir.startsWith(`${dataDir}/`));
  });

  describe('HEALTHCHECK', () => {
    const healthcheck = one(runtime, 'HEALTHCHECK');
    const command = execForm(healthcheck.slice(healthcheck.indexOf('CMD ') + 'CMD '.length));

    /** Runs the HEALTHCHECK's command as Docker would, with only the image's relevant variables. */
    function check(env: Record<string, string>): Promise<number> {
      assert.equal(command[0], 'node');
      return new Promise((resolve) => {
        execFile(process.execPath, command.slice(1), { cwd: ROOT, env, timeout: 30_000 }, (error) =>
          resolve(error ? Number(error.code ?? -1) : 0),
        );
      });
    }

    test('falls back to the default port', () => {
      assert.ok(healthcheck.includes(`'${defaults.port}'`), `the fallback port is ${defaults.port}`);
    });

    for (const basePath of ['', '/drive', 'drive/']) {
      test(`answers healthy from a running server with BASE_PATH=${JSON.stringify(basePath)}`, async () => {
        const running = await startApp(basePath ? { BASE_PATH: basePath } : {});
        const port = new URL(running.origin).port;
        assert.equal(await check({ PORT: port, BASE_PATH: basePath }), 0);
        if (basePath)
          assert.equal(await check({ PORT: port }), 1, 'without BASE_PATH, /healthz is the decoy');
        await running.close();
        assert.equal(await check({ PORT: port, BASE_PATH: basePath }), 1, 'unhealthy once stopped');
      });
    }
  });
});

describe('.dockerignore', () => {
  test('keeps the local state out of the build context', () => {
    for (const name of ['node_modules', 'data', 'dist', '.git', 'test-output', '.env']) {
      assert.ok(ignoredByDockerignore(name), `${name} is ignored`);
    }
  });
});

describe('docker-compose.yml', () => {
  const lines = read('docker-compose.yml').split('\n');

  /** The lines of the block under `key:` (comments included), by indentation. */
  function block(key: string): string[] {
    const start = lines.findIndex((l) => new RegExp(`^\\s*${key}:\\s*$`).test(l));
    assert.ok(start >= 0, `a ${key}: block`);
    const indent = /^\s*/.exec(lines[start]!)![0].length;
    const out: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (line.trim() === '') continue;
      if (/^\s*/.exec(line)![0].length <= indent) break;
      out.push(line.trim());
    }
    return out;
  }

  test("publishes the image's port", () => {
    const ports = block('ports').map((l) => /^- ['"]?(?:[\d.]+:)?\d+:(\d+)['"]?$/.exec(l)?.[1]);
    assert.deepEqual(ports, [String(defaults.port)]);
  });

  test("keeps the image's DATA_DIR on a volume", () => {
    const targets = block('volumes')
      .filter((l) => l.startsWith('- '))
      .map((l) => l.split(':')[1]);
    assert.deepEqual(targets, [runtimeEnv.get('DATA_DIR')]);
  });

  test('names only variables the configuration knows, SYS_TOKEN among them', () => {
    const known = new Set(Object.keys(envSchema.shape));
    const env = block('environment');
    const names = env.map((l) => /^(?:#\s*)?([A-Z][A-Z0-9_]*):/.exec(l)?.[1]).filter((n) => n !== undefined);
    const interpolated = [...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
    assert.ok(names.includes('SYS_TOKEN'), 'SYS_TOKEN is set');
    for (const name of ['HF_TOKEN', 'HF_DATASET_REPO']) assert.ok(names.includes(name), `${name} is shown`);
    for (const name of [...names, ...interpolated])
      assert.ok(known.has(name!), `${name} is a known variable`);
  });

  test('builds this Dockerfile and restarts the drive', () => {
    assert.ok(lines.some((l) => /^\s+build: \.\s*$/.test(l)));
    const restart = lines.map((l) => /^\s+restart: (\S+)/.exec(l)?.[1]).find((r) => r !== undefined);
    assert.ok(restart === 'unless-stopped' || restart === 'always', `restart: ${restart}`);
  });
});
