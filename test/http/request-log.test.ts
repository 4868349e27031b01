import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutShareToken } from '../../src/http/request-log.js';

test('share tokens are redacted from logged paths, in the API and in the page a visitor opens', () => {
  const cases: [path: string, base: string, logged: string][] = [
    ['/api/s/TOKEN123', '', '/api/s/[token]'],
    ['/api/s/TOKEN123/content', '', '/api/s/[token]/content'],
    ['/drive/api/s/TOKEN123/list', '/drive', '/drive/api/s/[token]/list'],
    ['/drive/s/TOKEN123', '/drive', '/drive/s/[token]'],
    ['/s/TOKEN123/Photos/a.jpg', '', '/s/[token]/Photos/a.jpg'],
    // Percent-encoded, the router still reaches the share API.
    ['/drive/api/%73/TOKEN123', '/drive', '/drive/api/s/[token]'],
    ['/drive/%61pi/s/TOKEN123', '/drive', '/drive/api/s/[token]'],
  ];
  for (const [path, base, logged] of cases) assert.equal(withoutShareToken(path, base), logged, path);
});

test('other paths are logged as they are, folders named "s" included', () => {
  for (const [path, base] of [
    ['/api/fs/list', ''],
    ['/files/s/TOKEN123', ''],
    ['/dav/s/x', ''],
    ['/drive/files/s/x', '/drive'],
    ['/other/s/x', '/drive'],
  ] as const) {
    assert.equal(withoutShareToken(path, base), path);
  }
});
