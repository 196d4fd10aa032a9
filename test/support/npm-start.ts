import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/**
 * `npm start` as a user runs it: a real process on a free port, the embedded PostgreSQL keeping
 * its data in `dataDir`, the demo on (the traffic simulator only if asked). Resolves once the banner shows, with the address it printed.
 */
export async function startNpmStart(
  dataDir: string,
  options: { simulator?: boolean } = {},
): Promise<{ child: ChildProcess; url: string }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    EASYPARK_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // The traffic simulator is on for a user; a test asks for it when it is what it checks.
    EASYPARK_SIMULATOR: options.simulator ? 'on' : 'off',
  };
  delete env.DATABASE_URL; // this is about the embedded server
  delete env.AMQP_URL;
  delete env.EASYPARK_ADMIN_PASSWORD;
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/easypark/src/main.ts', 'all'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { child, url };
}

/** Stops it with a signal and waits until it has exited. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
