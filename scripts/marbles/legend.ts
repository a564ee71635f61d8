/**
 * What the letters and error names of a scenario stand for, in words and colours.
 */
import type { MarbleScenario } from '../../marbles/index.js';
import { errors, socketOpens, type ErrorName } from '../../marbles/values.js';
import type { ExecEvent } from '../../src/events.js';
import type { ProbeResult } from '../../src/protocol/probeResult.js';

/** A value's colour, and the colour of its letter. */
export interface Tone {
  readonly fill: string;
  readonly ink: string;
}

export interface LegendEntry {
  /** The marble letter, or the error name. */
  readonly label: string;
  readonly kind: 'value' | 'error';
  readonly text: string;
  readonly tone: Tone;
}

const dark = (fill: string): Tone => ({ fill, ink: '#ffffff' });
const light = (fill: string): Tone => ({ fill, ink: '#0f172a' });
export const ERROR_TONE = dark('#dc2626');

const decoder = new TextDecoder();

/** Bytes as a quoted string; long ones by their start and their length, so a legend stays readable. */
function shown(data: Uint8Array): string {
  const text = decoder.decode(data);
  return text.length <= 60 ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 40))}… (${data.length} bytes)`;
}

function describeEvent(event: ExecEvent): { text: string; tone: Tone } {
  if (event === socketOpens) return { text: 'the socket opens (HTTP 101): not an event, nothing reaches the subscriber', tone: light('#cbd5e1') };
  switch (event.type) {
    case 'started':
      return { text: `started ${event.executionId}`, tone: dark('#64748b') };
    case 'stdout':
      return { text: `stdout ${shown(event.data)}`, tone: dark('#2563eb') };
    case 'stderr':
      return { text: `stderr ${shown(event.data)}`, tone: dark('#ea580c') };
    case 'exit':
      return event.source === 'frame'
        ? { text: `exit ${event.exitCode}, the server's exit frame`, tone: dark('#16a34a') }
        : { text: `exit ${event.exitCode}, from the status probe`, tone: light('#86efac') };
    case 'notice':
      return { text: `notice ${event.kind}: ${event.message}`, tone: light('#facc15') };
  }
}

function describeProbe(result: ProbeResult): { text: string; tone: Tone } {
  switch (result.state) {
    case 'terminal':
      return { text: `probe: ${result.status}, exit code ${result.exitCode}`, tone: dark('#7c3aed') };
    case 'running':
      return { text: 'probe: running', tone: dark('#0891b2') };
    case 'unavailable':
      return { text: `probe: unavailable (${result.reason})`, tone: dark('#db2777') };
    case 'gone':
      return { text: `probe: gone (${result.message})`, tone: dark('#7f1d1d') };
  }
}

/** Describes one scenario value. */
export function describeValue(value: ExecEvent | ProbeResult): { text: string; tone: Tone } {
  return 'state' in value ? describeProbe(value) : describeEvent(value);
}

/** The legend of a scenario: every value letter in the order of `values`, then every error used. */
export function legend(scenario: MarbleScenario): readonly LegendEntry[] {
  const values = Object.entries(scenario.values).map(([label, value]): LegendEntry => ({ label, kind: 'value', ...describeValue(value) }));
  const names = [...scenario.sockets.map((socket) => socket.error), scenario.expectedError].filter((name): name is ErrorName => name !== undefined);
  const errorEntries = [...new Set(names)].map((label): LegendEntry => {
    const error = errors[label]();
    return { label, kind: 'error', text: `${error.name}: ${error.message}`, tone: ERROR_TONE };
  });
  return [...values, ...errorEntries];
}
