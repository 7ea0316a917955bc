import { describe, expect, it } from 'vitest';
import { decodeEventKey, isIncomingKey, resultKeyFor, sharedResultPath } from '../../../src/runtime/keys.js';

describe('decodeEventKey', () => {
  it.each([
    ['incoming/plain.fastq', 'incoming/plain.fastq'],
    ['incoming/with+space.fq', 'incoming/with space.fq'],
    ['incoming/a%2Bplus.fq', 'incoming/a+plus.fq'],
    ['incoming/100%25+done.csv', 'incoming/100% done.csv'],
    ['incoming/%C3%A9chantillon+%E2%84%961.fq.gz', 'incoming/échantillon №1.fq.gz'],
    ['incoming/%E8%A1%80%E6%B6%B2.fastq', 'incoming/血液.fastq'],
  ])('decodes %s to %s', (raw, key) => {
    expect(decodeEventKey(raw)).toBe(key);
  });

  it('rejects a malformed escape instead of guessing', () => {
    expect(() => decodeEventKey('incoming/bad%E0%A4%A.fq')).toThrow(URIError);
  });
});

describe('result locations', () => {
  it('maps incoming/<path> to results/<path>.json', () => {
    expect(resultKeyFor('incoming/run 7/reads.fq.gz')).toBe('results/run 7/reads.fq.gz.json');
  });

  it('treats only objects under incoming/ as inputs', () => {
    expect(isIncomingKey('incoming/a.fq')).toBe(true);
    expect(isIncomingKey('results/incoming/a.fq.json')).toBe(false);
    expect(isIncomingKey('incoming/')).toBe(false);
    expect(isIncomingKey('incoming/folder/')).toBe(false);
    expect(() => resultKeyFor('results/a.json')).toThrow(/not an incoming key/);
  });

  it('keeps shared-drive paths under the results folder whatever the key says', () => {
    const root = '/mnt/shared/results/';
    for (const key of [
      'incoming/../../etc/passwd',
      'incoming/a/../../..',
      'incoming//x',
      'incoming/..\\..\\x',
      'incoming/.',
    ]) {
      expect(sharedResultPath('/mnt/shared', key).startsWith(root)).toBe(true);
    }
    expect(sharedResultPath('/mnt/shared', 'incoming/../x.fq')).toBe('/mnt/shared/results/%2E%2E/x.fq.json');
  });

  it('shortens names too long for the file system, keeping them distinct', () => {
    const long = (c: string) => `incoming/${c.repeat(300)}/${'é'.repeat(200)}.fq`;
    const [a, b] = [sharedResultPath('/m', long('a')), sharedResultPath('/m', long('b'))];
    for (const p of [a, b]) {
      expect(p.startsWith('/m/results/')).toBe(true);
      for (const name of p.split('/')) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
      expect(p).not.toContain('\uFFFD');
    }
    expect(a).not.toBe(b);
  });

  it('maps distinct keys to distinct shared paths', () => {
    const keys = [
      'incoming/../a',
      'incoming/%2E%2E/a',
      'incoming//a',
      'incoming/%/a',
      'incoming/a\\b',
      'incoming/a%5Cb',
      `incoming/${'x'.repeat(300)}`,
      `incoming/${'x'.repeat(160)}~${'0'.repeat(32)}`,
    ];
    const paths = new Set(keys.map((k) => sharedResultPath('/m', k)));
    expect(paths.size).toBe(keys.length);
  });
});
