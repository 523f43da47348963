// The streaming manifest parser: document boundaries whatever the piece boundaries, lines, large Lists split into
// items with exact lines, oversized documents reported not kept, binary input quoted briefly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentSplitter, splitDocuments } from '../../src/domain/manifest-split';
import { LIST_SPLIT_MIN_CHARS, splitListItems } from '../../src/domain/manifest-lists';
import { binaryMessage, looksBinary, quoteExcerpt } from '../../src/domain/input-text';
import { parseManifestText } from '../../src/domain/manifests';

const TEXT = [
  '# leading comment',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: {name: a}',
  '---',
  '--- # an empty document',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: b',
  'data:',
  '  text: |',
  '    ---- not a marker',
  '    --- indented, not a marker',
  '...',
  '---',
  'apiVersion: v1',
  'kind: Secret',
  'metadata: {name: c}',
].join('\n');

void describe('manifest parsing', () => {
  void it('finds the same documents and lines however the input is cut into pieces', () => {
    const whole = splitDocuments(TEXT).map((d) => `${d.startLine}:${d.text.length}`);
    for (const size of [1, 2, 3, 7, 16, 64]) {
      const splitter = new DocumentSplitter();
      const docs = [];
      for (let i = 0; i < TEXT.length; i += size) docs.push(...splitter.push(TEXT.slice(i, i + size)));
      docs.push(...splitter.end());
      assert.deepEqual(
        docs.map((d) => `${d.startLine}:${d.text.length}`),
        whole,
        `pieces of ${size}`,
      );
    }
    const { objects, errors } = parseManifestText(TEXT, 'x.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      objects.map((o) => `${o.name}@${o.line}`),
      ['a@2', 'b@7', 'c@17'],
    );
  });

  void it('handles CRLF line ends and a byte-order mark', () => {
    const crlf = `\ufeff${TEXT.replace(/\n/g, '\r\n')}`;
    assert.deepEqual(
      parseManifestText(crlf, 'x.yaml').objects.map((o) => `${o.name}@${o.line}`),
      ['a@2', 'b@7', 'c@17'],
    );
  });

  void it('a document over the cap is reported by its size, not kept', () => {
    const docs = splitDocuments(`a: 1\n---\nb: ${'x'.repeat(5000)}\n---\nc: 3\n`, 1000);
    assert.deepEqual(
      docs.map((d) => [d.startLine, d.oversized ?? 0, d.text.length]),
      [
        [1, 0, 5],
        [2, 5008, 0],
        [4, 0, 9],
      ],
    );
  });

  void it('a large List is split into its items, each with its exact line (YAML and JSON)', () => {
    const count = Math.ceil(LIST_SPLIT_MIN_CHARS / 70);
    let yaml = 'apiVersion: v1\nkind: List\nitems:\n';
    for (let i = 0; i < count; i++)
      yaml += `- apiVersion: extensions/v1beta1\n  kind: Ingress\n  metadata:\n    name: i${i}\n`;
    yaml += 'metadata:\n  resourceVersion: ""\n';
    const items = splitListItems(yaml, 1);
    assert.equal(items?.length, count);
    assert.equal(items?.[1]?.line, 8);
    const parsed = parseManifestText(yaml, 'list.yaml');
    assert.deepEqual(parsed.errors, []);
    assert.equal(parsed.objects.length, count);
    assert.deepEqual(
      parsed.objects.slice(0, 2).map((o) => `${o.kind} ${o.name}@${o.line}`),
      ['Ingress i0@4', 'Ingress i1@8'],
    );
    const json = JSON.stringify(
      {
        apiVersion: 'v1',
        items: Array.from({ length: count }, (_, i) => ({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `p${i}` },
        })),
        kind: 'List',
      },
      null,
      4,
    );
    const fromJson = parseManifestText(json, 'list.json');
    assert.deepEqual(fromJson.errors, []);
    assert.equal(fromJson.objects.length, count);
    assert.deepEqual([fromJson.objects[0]?.line, fromJson.objects[1]?.line], [4, 11]);
  });

  void it('binary input is detected and quoted in at most ~200 escaped characters', () => {
    const bytes = Buffer.from(Array.from({ length: 470_000 }, (_, i) => (i * 31) % 256)).toString('utf8');
    assert.ok(looksBinary(bytes));
    assert.ok(!looksBinary('apiVersion: v1\nkind: ConfigMap\n'));
    const message = binaryMessage(bytes);
    assert.ok(message.length < 300, `${message.length} characters`);
    assert.ok(quoteExcerpt('a\u0000b\nc'.repeat(100)).length <= 201);
    assert.match(parseManifestText(bytes, 'b.bin').errors[0]?.message ?? '', /^binary data, not YAML or JSON text/);
  });
});
