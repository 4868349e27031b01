import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

test("the guide's variables select the Hub store without STORE", () => {
  const config = loadConfig({ HF_TOKEN: 'hf_abc123', HF_DATASET_REPO: 'alice/drive' });
  assert.deepEqual(config.store, {
    kind: 'hf',
    hubUrl: 'https://huggingface.co',
    token: 'hf_abc123',
    repo: 'alice/drive',
    createRepo: false,
    commitsPerHour: 100,
  });
});

test('a malformed repo id, a token that is not a Hub token, or a missing token stops start-up by name', () => {
  for (const [env, name] of [
    [{ HF_TOKEN: 'hf_abc', HF_DATASET_REPO: 'no-slash' }, 'HF_DATASET_REPO'],
    [{ HF_TOKEN: 'hf_abc', HF_DATASET_REPO: 'a/b/c' }, 'HF_DATASET_REPO'],
    [{ HF_TOKEN: 'ghp_abc', HF_DATASET_REPO: 'alice/drive' }, 'HF_TOKEN'],
    [{ STORE: 'hf', HF_DATASET_REPO: 'alice/drive' }, 'HF_TOKEN'],
    [{ STORE: 'hf', HF_TOKEN: 'hf_abc' }, 'HF_DATASET_REPO'],
    [{ HF_TOKEN: 'hf_abc', HF_DATASET_REPO: 'alice/drive', HF_ENDPOINT: 'not a url' }, 'HF_ENDPOINT'],
  ] as const) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, new RegExp(`${name}:`));
        assert.doesNotMatch(error.message, /hf_abc|ghp_abc/, 'the token never appears in the message');
        return true;
      },
    );
  }
});

test('HF_TOKEN without HF_DATASET_REPO is refused, naming both, unless STORE=local says so', () => {
  assert.throws(
    () => loadConfig({ HF_TOKEN: 'hf_abc123' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 1, error.message);
      assert.match(error.problems[0]!, /^HF_DATASET_REPO: HF_TOKEN is set but HF_DATASET_REPO is not/);
      assert.match(error.problems[0]!, /STORE=local/);
      assert.doesNotMatch(error.message, /hf_abc123/, 'the token never appears in the message');
      return true;
    },
  );
  assert.equal(loadConfig({ HF_TOKEN: 'hf_abc123', STORE: 'local' }).store.kind, 'local');
});
