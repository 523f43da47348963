// The facts table against the checked compilation in test/fixtures/reference/k8s-api-removals.csv (whose notes
// correct pluto; provenance in its README): every dated CSV row is in the table with the same versions, and the table adds nothing unsourced.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { API_REMOVALS, findApiRemoval, removalsIn } from '../../src/domain/api-removals';

const CSV_PATH = join(__dirname, '..', 'fixtures', 'reference', 'k8s-api-removals.csv');

/** RFC 4180 enough for this file: quoted fields with doubled quotes and commas. */
function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows;
  return body.filter((r) => r.length > 1).map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

function minor(text: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)\.\d+$/.exec(text.trim());
  return m ? `${m[1]}.${m[2]}` : undefined;
}

// pluto's catch-all "FlowControl" kind does not exist in Kubernetes (see eks.md §1.3): deliberately left out.
const LEFT_OUT = new Set(['flowcontrol.apiserver.k8s.io/v1beta1 FlowControl']);
// Deprecation versions taken from the 1.29 release notes instead of the CSV's pluto-derived values (see api-removals.ts).
const DEPRECATION_FROM_NOTES = new Set([
  'flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema',
  'flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration',
]);

void describe('API removal facts', () => {
  const rows = parseCsv(readFileSync(CSV_PATH, 'utf8'));

  void it('every CSV row is in the table with the same removal and deprecation versions', () => {
    assert.ok(rows.length > 90);
    for (const row of rows) {
      const name = `${row.group_version} ${row.kind}`;
      if (LEFT_OUT.has(name)) continue;
      const fact = findApiRemoval(row.group_version ?? '', row.kind ?? '');
      assert.ok(fact, `missing from the table: ${name}`);
      assert.equal(fact.removedIn, minor(row.removed_in ?? ''), `${name}: removedIn`);
      const deprecated = minor(row.deprecated_in ?? '');
      if (DEPRECATION_FROM_NOTES.has(name)) assert.equal(fact.deprecatedIn, '1.29', name);
      else if (deprecated && fact.deprecatedIn) assert.equal(fact.deprecatedIn, deprecated, `${name}: deprecatedIn`);
    }
  });

  void it('the table holds nothing the CSV does not source', () => {
    const inCsv = new Set(rows.map((r) => `${r.group_version} ${r.kind}`));
    for (const fact of API_REMOVALS)
      assert.ok(inCsv.has(`${fact.groupVersion} ${fact.kind}`), `unsourced row ${fact.groupVersion} ${fact.kind}`);
  });

  void it('keeps the corrections to pluto', () => {
    assert.equal(findApiRemoval('flowcontrol.apiserver.k8s.io/v1beta1', 'FlowSchema')?.removedIn, '1.26');
    assert.equal(findApiRemoval('authorization.k8s.io/v1beta1', 'SubjectAccessReview')?.removedIn, '1.22');
    assert.equal(findApiRemoval('flowcontrol.apiserver.k8s.io/v1beta1', 'FlowControl'), undefined);
  });

  void it('covers 1.16 to 1.36 and marks the beta APIs EKS enables', () => {
    const versions = new Set(API_REMOVALS.map((r) => r.removedIn).filter((v) => v !== undefined));
    for (const v of [
      '1.16',
      '1.17',
      '1.22',
      '1.24',
      '1.25',
      '1.26',
      '1.27',
      '1.29',
      '1.32',
      '1.33',
      '1.34',
      '1.35',
      '1.36',
    ])
      assert.ok(versions.has(v), v);
    assert.deepEqual(
      removalsIn('1.32')
        .map((r) => `${r.groupVersion} ${r.kind}`)
        .sort(),
      [
        'coordination.k8s.io/v1alpha1 LeaseCandidate',
        'flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema',
        'flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration',
      ],
    );
    assert.equal(findApiRemoval('resource.k8s.io/v1beta1', 'ResourceClaim')?.eksEnabledBeta, true);
    assert.equal(findApiRemoval('storage.k8s.io/v1beta1', 'VolumeAttributesClass')?.eksEnabledBeta, true);
    assert.equal(findApiRemoval('storage.k8s.io/v1beta1', 'VolumeAttributesClass')?.removedIn, undefined);
  });
});
