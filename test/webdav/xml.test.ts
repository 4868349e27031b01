import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseXml, XmlSyntaxError } from '../../src/webdav/xml/xml-parse.js';
import { escapeText, serializeNodes } from '../../src/webdav/xml/xml-write.js';

describe('XML parsing', () => {
  test('prefixes, default namespaces and undeclaring resolve to namespace URIs', () => {
    const doc = parseXml(
      '<?xml version="1.0"?><propfind xmlns="DAV:" xmlns:z="urn:z"><prop><z:a/><b xmlns="urn:b"/><c xmlns=""/></prop></propfind>',
    );
    assert.equal(doc.ns, 'DAV:');
    const prop = doc.children[0];
    assert.ok(prop && typeof prop !== 'string');
    assert.deepEqual(
      prop.children.map((c) => (typeof c === 'string' ? c : [c.ns, c.name])),
      [
        ['urn:z', 'a'],
        ['urn:b', 'b'],
        ['', 'c'],
      ],
    );
  });

  test('entities and character references decode; CDATA is text', () => {
    const doc = parseXml('<a x="&quot;1&#x41;">&lt;&amp;&#233;&#x1F600;<![CDATA[<b>]]></a>');
    assert.deepEqual(doc.attrs, [{ ns: '', name: 'x', value: '"1A' }]);
    assert.equal(doc.children.join(''), '<&é😀<b>');
  });

  const bad: [string, string][] = [
    [
      'a DOCTYPE with entities (billion laughs)',
      '<!DOCTYPE a [<!ENTITY x "xx"><!ENTITY y "&x;&x;">]><a>&y;</a>',
    ],
    ['an external entity', '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['an undeclared prefix', '<D:a/>'],
    ['two roots', '<a/><b/>'],
    ['a mismatched tag', '<a><b></a>'],
    ['text only', 'hello'],
    ['a NUL character reference', '<a>&#0;</a>'],
    ['an empty namespace bound to a prefix', '<a xmlns:p=""/>'],
    ['nesting beyond the limit', '<a>'.repeat(200) + '</a>'.repeat(200)],
  ];
  for (const [what, text] of bad) {
    test(`refuses ${what} with 400`, () => {
      assert.throws(
        () => parseXml(text),
        (error: unknown) => error instanceof XmlSyntaxError && error.status === 400,
      );
    });
  }
});

describe('XML writing', () => {
  test('escaping', () => {
    assert.equal(escapeText('a<b>&c'), 'a&lt;b&gt;&amp;c');
  });

  test('a fragment keeps its namespaces wherever it is put', () => {
    const doc = parseXml('<x:v xmlns:x="urn:x" xmlns:y="urn:y"><y:a y:at="1&amp;">t</y:a><b>&lt;</b></x:v>');
    const text = serializeNodes(doc.children);
    assert.equal(text, '<n0:a xmlns:n0="urn:y" n0:at="1&amp;">t</n0:a><b>&lt;</b>');
    const again = parseXml(`<w>${text}</w>`);
    const first = again.children[0];
    assert.ok(first && typeof first !== 'string');
    assert.equal(first.ns, 'urn:y');
    assert.deepEqual(first.attrs, [{ ns: 'urn:y', name: 'at', value: '1&' }]);
  });
});
