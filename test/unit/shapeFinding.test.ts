/**
 * `provenShape`, row by row of its JSDoc table, and `ShapeFinding`: what a first frame proves,
 * what it leaves open, and that a proof of `chunks` always wins.
 */
import { describe, expect, it } from 'vitest';
import { provenShape, ShapeFinding, type ShapeEvidence } from '../../src/delivery/shapeFinding.js';
import { realisticOutput } from '../support/realisticOutput.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const RING = 64;

function evidence(frame: Uint8Array, delivered: Uint8Array, frames: number): ShapeEvidence {
  return { frame, delivered: delivered.length, history: delivered.subarray(Math.max(0, delivered.length - RING)), frames, ringBytes: RING };
}

describe('provenShape', () => {
  it('a frame longer than the buffer: chunks (serve keeps its newest chunk whole past it)', () => {
    expect(provenShape(evidence(new Uint8Array(RING + 1), new Uint8Array(0), 0))).toBe('chunks');
  });

  it('a frame shorter than what a ring holds: chunks', () => {
    expect(provenShape(evidence(enc('def'), enc('abcdef'), 2))).toBe('chunks');
    // Past a wrap the ring holds the whole buffer: anything shorter is a chunk.
    expect(provenShape(evidence(new Uint8Array(RING - 1), new Uint8Array(RING * 3), 9))).toBe('chunks');
  });

  it('a frame short of the buffer that does not start with every delivered byte: chunks', () => {
    expect(provenShape(evidence(enc('abXdef'), enc('abc'), 1))).toBe('chunks');
  });

  it('exactly the buffer: ring, whatever came before', () => {
    expect(provenShape(evidence(new Uint8Array(RING), new Uint8Array(0), 0))).toBe('ring');
    expect(provenShape(evidence(new Uint8Array(RING).fill(7), enc('abc'), 1))).toBe('ring');
  });

  it('every delivered byte and more after two frames or more: ring (one stored chunk cannot hold two), periodic or not', () => {
    expect(provenShape(evidence(enc('abcdefg'), enc('abcdef'), 2))).toBe('ring');
    expect(provenShape(evidence(enc('y\ny\ny\n'), enc('y\ny\n'), 2))).toBe('ring');
    // Nothing new since: the same bytes again, still more than one chunk can be.
    expect(provenShape(evidence(enc('abcdef'), enc('abcdef'), 2))).toBe('ring');
  });

  it('after one frame: ring only when longer and not periodic', () => {
    expect(provenShape(evidence(enc('hello world\nmore'), enc('hello world\n'), 1))).toBe('ring');
    expect(provenShape(evidence(enc('y\ny\ny\n'), enc('y\ny\n'), 1))).toBeUndefined();
    expect(provenShape(evidence(enc('heartbeat ok\n'), enc('heartbeat ok\n'), 1))).toBeUndefined();
  });

  it('nothing delivered and a frame short of the buffer: nothing proven', () => {
    expect(provenShape(evidence(enc('abc'), new Uint8Array(0), 0))).toBeUndefined();
  });

  it('realistic logs: a ring replay after live frames proves the ring; a chunk replay proves chunks', () => {
    const chunks = realisticOutput('logs', 4 * 1024, 7);
    const [first, second, third] = chunks as [Uint8Array, Uint8Array, Uint8Array];
    const delivered = Uint8Array.from([...first, ...second]);
    const ring = { ...evidence(Uint8Array.from([...delivered, ...third]), delivered, 2), ringBytes: 256 * 1024, history: delivered };
    expect(provenShape(ring)).toBe('ring');
    expect(provenShape({ ...ring, frame: first })).toBe('chunks');
  });
});

describe('ShapeFinding', () => {
  it('unknown: plans as chunks until a proof; a ring proof sticks', () => {
    const finding = new ShapeFinding();
    expect(finding.read(evidence(enc('abc'), new Uint8Array(0), 0))).toBe('chunks');
    expect(finding.shape).toBeUndefined();
    expect(finding.read(evidence(enc('abcdefg'), enc('abcdef'), 2))).toBe('ring');
    expect(finding.read(evidence(enc('x'), new Uint8Array(0), 0))).toBe('ring');
    expect(finding.shape).toBe('ring');
  });

  it('a proof of chunks wins over a configured or proven ring, for good', () => {
    const finding = new ShapeFinding('ring');
    expect(finding.read(evidence(enc('def'), enc('abcdef'), 2))).toBe('chunks');
    expect(finding.read(evidence(new Uint8Array(RING), new Uint8Array(0), 0))).toBe('chunks');
    expect(finding.shape).toBe('chunks');
  });

  it('a configured chunks is never turned into ring', () => {
    const finding = new ShapeFinding('chunks');
    expect(finding.read(evidence(new Uint8Array(RING), new Uint8Array(0), 0))).toBe('chunks');
    expect(finding.read(evidence(enc('abcdefg'), enc('abcdef'), 2))).toBe('chunks');
  });
});

describe('ShapeFinding: the Content-Type hint', () => {
  const answer = (status: number, type?: string) => ({
    status,
    statusText: '',
    headers: { get: (name: string) => (name === 'content-type' ? (type ?? null) : null) },
    text: () => Promise.resolve(''),
  });
  const unproven = evidence(enc('heartbeat ok\n'), enc('heartbeat ok\n'), 1);

  it("gin's JSON hints at the ring, axum's at chunks; an unproven first frame is planned with the hint", () => {
    const runner = new ShapeFinding();
    runner.heard(answer(201, 'application/json; charset=utf-8'));
    expect(runner.hint).toBe('ring');
    expect(runner.read(unproven)).toBe('ring');
    expect(runner.shape).toBeUndefined();
    const serve = new ShapeFinding();
    serve.heard(answer(200, 'application/json'));
    expect(serve.read(unproven)).toBe('chunks');
  });

  it('errors, other types and missing headers hint nothing; the first hint stays', () => {
    const finding = new ShapeFinding();
    finding.heard(answer(404, 'application/json; charset=utf-8'));
    finding.heard(answer(200, 'text/html'));
    finding.heard({ status: 200, statusText: '', text: () => Promise.resolve('') });
    expect(finding.hint).toBeUndefined();
    finding.heard(answer(201, 'application/json'));
    finding.heard(answer(200, 'application/json; charset=utf-8'));
    expect(finding.hint).toBe('chunks');
  });

  it('a proof outranks the hint', () => {
    const finding = new ShapeFinding();
    finding.heard(answer(201, 'application/json'));
    expect(finding.read(evidence(enc('abcdefg'), enc('abcdef'), 2))).toBe('ring');
    expect(finding.read(unproven)).toBe('ring');
  });
});
