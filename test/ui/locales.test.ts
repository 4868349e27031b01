import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const LOCALES = path.join(import.meta.dirname, '..', '..', 'web', 'src', 'locales');

type Tree = { [key: string]: string | Tree };

/** Every key of a namespace, with i18next's plural suffixes folded into the key they belong to. */
function keysOf(tree: Tree, prefix = ''): Set<string> {
  const keys = new Set<string>();
  for (const [key, value] of Object.entries(tree)) {
    const name = `${prefix}${key.replace(/_(zero|one|two|few|many|other)$/, '')}`;
    if (typeof value === 'string') keys.add(name);
    else for (const inner of keysOf(value, `${name}.`)) keys.add(inner);
  }
  return keys;
}

function load(language: string, namespace: string): Tree {
  return JSON.parse(readFileSync(path.join(LOCALES, language, `${namespace}.json`), 'utf8')) as Tree;
}

function placeholders(tree: Tree, key: string): string[] {
  let node: string | Tree | undefined = tree;
  for (const part of key.split('.'))
    node = typeof node === 'object' ? (node[part] ?? node[`${part}_other`]) : undefined;
  return typeof node === 'string' ? [...node.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort() : [];
}

const namespaces = readdirSync(path.join(LOCALES, 'en')).map((f) => f.replace(/\.json$/, ''));

test('every namespace exists in English and Chinese', () => {
  const chinese = readdirSync(path.join(LOCALES, 'zh-CN')).map((f) => f.replace(/\.json$/, ''));
  assert.deepEqual(chinese.sort(), [...namespaces].sort());
});

for (const namespace of namespaces) {
  test(`${namespace}: the same keys and placeholders in both languages`, () => {
    const en = load('en', namespace);
    const zh = load('zh-CN', namespace);
    const enKeys = keysOf(en);
    const zhKeys = keysOf(zh);
    assert.deepEqual(
      [...zhKeys].filter((k) => !enKeys.has(k)),
      [],
      'keys only in zh-CN',
    );
    assert.deepEqual(
      [...enKeys].filter((k) => !zhKeys.has(k)),
      [],
      'keys only in en',
    );
    for (const key of enKeys) {
      assert.deepEqual(placeholders(zh, key), placeholders(en, key), `placeholders of ${namespace}:${key}`);
    }
  });
}
