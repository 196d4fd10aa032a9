/**
 * The Dockerfile, read (no Docker daemon here): two stages on Node 20, a numeric non-root user
 * (the one the chart's pods run as), sources that exist and are not excluded by .dockerignore,
 * every workspace's manifest copied before `npm ci`, every workspace the server needs copied into
 * the runtime, and an entrypoint that turns each role into the right `easypark` command (run
 * here with sh, with a stand-in for node).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readYaml } from '../../scripts/helm-render.ts';
import { chartDir, containerOf, ofKind, render, repoRoot, serviceNames } from './support.ts';

interface Instruction {
  keyword: string;
  args: string;
  heredoc?: string;
  stage: number;
}

/** The Dockerfile's instructions: comments dropped, continuation lines joined, heredocs attached. */
function parseDockerfile(text: string): {
  instructions: Instruction[];
  stages: Array<{ image: string; name: string }>;
  args: Record<string, string>;
} {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  const stages: Array<{ image: string; name: string }> = [];
  const args: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\')) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
    const [, keyword, rest] = /^\s*(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!keyword) throw new Error(`Dockerfile: cannot read line ${i + 1}: ${line}`);
    const instruction: Instruction = {
      keyword: keyword.toUpperCase(),
      args: rest!.trim(),
      stage: stages.length - 1,
    };
    const heredoc = /<<-?'?(\w+)'?/.exec(rest!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[1]!, i + 1);
      instruction.heredoc = lines.slice(i + 1, end).join('\n');
      i = end;
    }
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/);
      if (as?.toUpperCase() !== 'AS' || !name)
        throw new Error(`Dockerfile: an unnamed stage: FROM ${instruction.args}`);
      stages.push({ image: image!.replace(/\$\{(\w+)\}/g, (_, arg) => args[arg]!), name: name! });
      instruction.stage = stages.length - 1;
    }
    if (instruction.keyword === 'ARG' && instruction.stage === -1) {
      const [name, value] = instruction.args.split('=');
      args[name!] = value!;
    }
    instructions.push(instruction);
  }
  return { instructions, stages, args };
}

/** A COPY's flags, sources and destination (shell form only). */
function copyParts(instruction: Instruction) {
  const words = instruction.args.split(/\s+/);
  const flags = Object.fromEntries(
    words.filter((w) => w.startsWith('--')).map((w) => w.slice(2).split('=') as [string, string]),
  );
  const paths = words.filter((w) => !w.startsWith('--') && !w.startsWith('<<'));
  return { flags, sources: paths.slice(0, -1), destination: paths.at(-1)! };
}

/** Whether .dockerignore leaves a path out of the build context (Docker's rules: last match wins, directories cover their contents). */
function ignoredByDockerignore(path: string, patterns: string[]): boolean {
  const toRegex = (pattern: string) => {
    const parts = pattern
      .replace(/^\.?\//, '')
      .split(/(\*\*\/|\*\*|\*|\?)/)
      .map((part) => {
        if (part === '**/') return '(?:.*/)?';
        if (part === '**') return '.*';
        if (part === '*') return '[^/]*';
        if (part === '?') return '[^/]';
        return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      });
    return new RegExp(`^${parts.join('')}$`);
  };
  const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const regex = toRegex(negate ? raw.slice(1) : raw);
    if (prefixes.some((p) => regex.test(p))) ignored = !negate;
  }
  return ignored;
}

const dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const inStage = (name: string) => {
  const index = dockerfile.stages.findIndex((s) => s.name === name);
  expect(index, `stage ${name}`).toBeGreaterThanOrEqual(0);
  return dockerfile.instructions.filter((i) => i.stage === index);
};
const runtime = inStage('runtime');
const build = inStage('build');

/** The workspaces (root package.json's globs), by package name. */
const rootPackage = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const workspaces = new Map<string, { dir: string; dependencies: string[] }>();
for (const glob of rootPackage.workspaces as string[]) {
  const parent = glob.replace(/\/\*$/, '');
  for (const entry of readdirSync(join(repoRoot, parent))) {
    const manifest = join(repoRoot, parent, entry, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    workspaces.set(pkg.name, {
      dir: `${parent}/${entry}`,
      dependencies: Object.keys(pkg.dependencies ?? {}),
    });
  }
}

describe('the Dockerfile', () => {
  it('builds in one stage and runs in another, both on Node 20', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    for (const stage of dockerfile.stages)
      expect(stage.image).toMatch(/^node:20(\.\d+)*-(bookworm|bullseye)-slim$/);
    expect(build.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
    // The runtime has no compiler, bundler or test runner: the build prunes them after building the web app.
    // The web app's build needs the whole context (apps/web imports packages/kernel), copied after npm ci.
    const buildWeb = build.findIndex((i) => i.keyword === 'RUN' && i.args.includes('build:web'));
    const copyAll = build.findIndex((i) => i.keyword === 'COPY' && i.args === '. .');
    const ci = build.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(ci).toBeLessThan(copyAll);
    expect(copyAll).toBeLessThan(buildWeb);
    const finish = build[buildWeb]!.args;
    expect(finish.indexOf('npm prune --omit=dev')).toBeGreaterThan(finish.indexOf('build:web'));
    expect(runtime.some((i) => i.keyword === 'RUN' && /\bnpm\b/.test(i.args))).toBe(false);
  });

  it("runs as a numeric non-root user, the one the chart's pods run as", () => {
    const users = runtime.filter((i) => i.keyword === 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0]!.args.split(':').map(Number);
    expect(users[0]!.args).toMatch(/^\d+:\d+$/);
    expect(uid).toBeGreaterThan(0);
    const values = readYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8'), 'values.yaml') as any;
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid });
    // The user exists in the image (initdb, for `all`, looks it up).
    expect(runtime.find((i) => i.keyword === 'RUN' && i.args.includes('useradd'))!.args).toContain(
      `--uid ${uid}`,
    );
    // USER comes after everything that needs root, and before the entrypoint.
    const order = runtime.map((i) => i.keyword);
    expect(order.lastIndexOf('RUN')).toBeLessThan(order.indexOf('USER'));
  });

  it('copies only what exists in the build context', () => {
    for (const copy of dockerfile.instructions.filter((i) => i.keyword === 'COPY' && !i.heredoc)) {
      const { flags, sources } = copyParts(copy);
      if (flags.from) continue;
      for (const source of sources) {
        if (source === '.') continue;
        expect(existsSync(join(repoRoot, source)), `${source} exists`).toBe(true);
        expect(ignoredByDockerignore(source, dockerignore), `${source} is in the build context`).toBe(false);
      }
    }
    // And the context has the sources, not what the build makes or what the repository keeps for itself.
    for (const path of [
      'services/parking/src/service.ts',
      'packages/platform/src/index.ts',
      'apps/web/src',
      'datasets',
    ])
      expect(ignoredByDockerignore(path, dockerignore), path).toBe(false);
    for (const path of [
      'node_modules',
      'apps/web/node_modules/x',
      'apps/web/dist/index.html',
      '.git',
      'services/parking/test/a.test.ts',
      'data',
    ])
      expect(ignoredByDockerignore(path, dockerignore), path).toBe(true);
  });

  it("copies the lockfile and every workspace's package.json before npm ci", () => {
    const ci = build.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    const copied = build
      .slice(0, ci)
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => {
        const { sources, destination } = copyParts(i);
        return sources.map((s) =>
          destination.endsWith('/') && destination !== './' ? posix.join(destination, posix.basename(s)) : s,
        );
      });
    expect(copied).toContain('package.json');
    expect(copied).toContain('package-lock.json');
    expect(workspaces.size).toBeGreaterThanOrEqual(10);
    for (const { dir } of workspaces.values()) expect(copied, dir).toContain(`${dir}/package.json`);
    // Nothing else yet, or every source change would reinstall the dependencies.
    expect(copied.every((p) => p.endsWith('package.json') || p === 'package-lock.json')).toBe(true);
  });

  it('puts in the runtime every workspace the server needs, where the build had it', () => {
    const needed = new Set<string>();
    const visit = (name: string) => {
      const workspace = workspaces.get(name);
      if (!workspace || needed.has(workspace.dir)) return;
      needed.add(workspace.dir);
      for (const dependency of workspace.dependencies) visit(dependency);
    };
    visit('@easypark/easypark');
    expect(needed).toContain('services/gateway');
    expect(needed).toContain('apps/simulator');

    const runtimeWorkdir = runtime.find((i) => i.keyword === 'WORKDIR')!.args;
    const buildWorkdir = build.find((i) => i.keyword === 'WORKDIR')!.args;
    const copies = runtime
      .filter((i) => i.keyword === 'COPY' && !i.heredoc)
      .map((i) => {
        const { flags, sources, destination } = copyParts(i);
        expect(flags.from, i.args).toBe('build');
        const from = posix.relative(buildWorkdir, sources[0]!);
        const to = posix.relative(
          runtimeWorkdir,
          posix.join(runtimeWorkdir, destination, destination.endsWith('/') ? posix.basename(from) : ''),
        );
        // At the same place: the code finds files by relative paths (the gateway's ../../../../apps/web/dist).
        expect(to, i.args).toBe(from);
        return from;
      });
    const covered = (dir: string) => copies.some((c) => dir === c || dir.startsWith(`${c}/`));
    for (const dir of needed) expect(covered(dir), dir).toBe(true);
    for (const path of ['node_modules', 'package.json', 'apps/web/dist', 'datasets'])
      expect(covered(path), path).toBe(true);
    // What the build stage copies that the repository does not have, it makes: node_modules and the web app.
    for (const copy of copies)
      if (!existsSync(join(repoRoot, copy)) || copy === 'node_modules')
        expect(['node_modules', 'apps/web/dist']).toContain(copy);
  });

  it('checks its health on /healthz and starts through its entrypoint script', () => {
    expect(runtime.find((i) => i.keyword === 'HEALTHCHECK')!.args).toContain('/healthz');
    const entrypoint = JSON.parse(runtime.find((i) => i.keyword === 'ENTRYPOINT')!.args);
    const script = runtime.find((i) => i.heredoc);
    expect(copyParts(script!).destination).toBe(entrypoint[0]);
    expect(copyParts(script!).flags.chmod).toBe('0755');
  });
});

describe('the entrypoint', () => {
  const script = runtime.find((i) => i.heredoc)!.heredoc!;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'easypark-entrypoint-'));
    writeFileSync(join(dir, 'entrypoint'), script);
    // A stand-in for node that prints the command line it was given.
    writeFileSync(join(dir, 'node'), '#!/bin/sh\nprintf "%s " "$@"\n');
    chmodSync(join(dir, 'node'), 0o755);
  });
  afterAll(() => {
    execFileSync('rm', ['-rf', dir]);
  });

  const start = (args: string[], role?: string) => {
    const env: Record<string, string> = { PATH: `${dir}:${process.env.PATH}` };
    if (role !== undefined) env.EASYPARK_ROLE = role;
    const result = spawnSync('sh', [join(dir, 'entrypoint'), ...args], { env, encoding: 'utf8' });
    return { status: result.status, command: result.stdout.trim(), error: result.stderr };
  };
  const main = 'apps/easypark/src/main.ts';

  it('runs the file that is the easypark command', () => {
    expect(script).toContain(main);
    expect(existsSync(join(repoRoot, main))).toBe(true);
    expect(rootPackage.dependencies.tsx, 'tsx is a production dependency').toBeDefined();
  });

  it('runs the whole platform by default, or the role in EASYPARK_ROLE', () => {
    expect(start([])).toEqual({ status: 0, command: `--import tsx ${main} all`, error: '' });
    expect(start([], 'billing').command).toBe(`--import tsx ${main} serve billing`);
    expect(start(['parking'], 'billing').command).toBe(`--import tsx ${main} serve parking`);
  });

  it.each(serviceNames)('serves %s alone when asked', (service) => {
    expect(start([service])).toEqual({
      status: 0,
      command: `--import tsx ${main} serve ${service}`,
      error: '',
    });
  });

  it('refuses a role it does not know', () => {
    const { status, error, command } = start(['payments']);
    expect(status).toBe(64);
    expect(command).toBe('');
    expect(error).toContain("unknown role 'payments'");
  });

  it("starts each of the chart's Deployments as its own service", () => {
    const { objects } = render(['default-values.yaml']);
    const deployments = ofKind(objects, 'Deployment');
    expect(deployments).toHaveLength(serviceNames.length);
    for (const deployment of deployments) {
      const container = containerOf(deployment);
      expect(container.command, 'the image entrypoint is kept').toBeUndefined();
      const component = deployment.metadata.labels!['app.kubernetes.io/component'];
      expect(start(container.args).command).toBe(`--import tsx ${main} serve ${component}`);
    }
  });
});
