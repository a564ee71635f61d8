import { readFileSync } from 'node:fs';
import { startRunnerEmulator, type EmulatedServer, type Script } from '../testing/index.js';
import type { Command } from './args.js';
import type { CliIo } from './runCommand.js';

/** The banner's line on the replay, by server. */
const REPLAY_LINES: Readonly<Record<EmulatedServer, string>> = {
  runner: 'replay: the whole ring in one frame, like the Go runner',
  serve: 'replay: one frame per stored chunk, like boxlite serve (exec --replay-shape auto, the default, finds it)',
};

/** What a JSON script step may say (one of these keys, `exit` with `errorMessage`). */
const STEP_KEYS = ['stdout', 'stderr', 'waitMs', 'exit', 'echoStdin', 'waitForAttach', 'flood', 'lost'];

/** One `--script` file as a `Script`: `{"steps": [...]}`, each step an object with a key of `STEP_KEYS`. */
function scriptOf(text: string): Script {
  const script = JSON.parse(text) as { steps?: unknown };
  if (!Array.isArray(script.steps)) throw new Error('must be {"steps": [...]}');
  script.steps.forEach((step: unknown, i) => {
    if (typeof step !== 'object' || step === null || !STEP_KEYS.some((key) => key in step)) {
      throw new Error(`step ${i} must have one of ${STEP_KEYS.join(', ')}, got ${JSON.stringify(step)}`);
    }
  });
  return script as Script;
}

/** `--script NAME=FILE`'s scripts: each file one JSON `Script` (`{"steps":[{"stdout":"hi\\n"},{"exit":0}]}`). */
function readScripts(files: Readonly<Record<string, string>>): Record<string, Script> {
  return Object.fromEntries(
    Object.entries(files).map(([name, file]) => {
      try {
        return [name, scriptOf(readFileSync(file, 'utf8'))];
      } catch (error: unknown) {
        throw new Error(`--script ${name}=${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
}

/**
 * Runs the emulator in the foreground, printing where it listens and the token to use, until
 * SIGINT or SIGTERM. Resolves to the process exit status.
 */
export async function runEmulator(command: Extract<Command, { kind: 'emulator' }>, io: CliIo): Promise<number> {
  const emulator = await startRunnerEmulator({
    port: command.port,
    ...(command.token === undefined ? {} : { token: command.token }),
    allowProcesses: command.allowExec,
    server: command.server,
    scripts: readScripts(command.scripts),
    mainSessions: command.mainSessions,
    ...(command.readOnlyAttach === undefined ? {} : { readOnlyAttach: command.readOnlyAttach }),
  });
  // Listening before the banner: a supervisor may send SIGTERM the moment it reads the banner.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.stdout.write(
    [
      `BoxLite runner emulator listening on ${emulator.url}`,
      `export BOXLITE_REST_URL=${emulator.url}`,
      `export BOXLITE_API_KEY=${emulator.token}`,
      command.allowExec ? 'real processes: enabled (commands run on this machine)' : 'real processes: disabled (scripted commands only; --allow-exec to enable)',
      REPLAY_LINES[command.server],
      ...Object.entries(command.mainSessions).map(([boxId, name]) => `main session of ${boxId}: script ${name} (boxlite-rx attach ${boxId})`),
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await stopped;
  await emulator.close();
  return 0;
}
