/**
 * `helm template` without helm: renders a chart (deploy/helm/easypark) the way Helm 3 does, with
 * the Go template engine in scripts/helm-template.ts, so CI can check the chart on a machine that
 * has no helm binary (test/deploy/chart.test.ts). What it does, in Helm's order:
 *
 *   1. reads Chart.yaml (apiVersion v2) and values.yaml, and merges the given values over them
 *      (maps merge key by key, anything else replaces, null deletes a key: Helm's coalescing);
 *   2. checks the dependencies: one whose `condition` is true must be in charts/, as Helm requires,
 *      unless `skipDependencies` is set (then it is listed in `skippedDependencies`: its own
 *      objects are not rendered, ours that point at it are);
 *   3. validates the values against values.schema.json (JSON Schema draft-07, as Helm does);
 *   4. renders every file of templates/ except partials (`_*`) and NOTES.txt, with `.Values`,
 *      `.Release`, `.Chart` and `.Template` as Helm sets them, and NOTES.txt apart;
 *   5. parses each rendered file as YAML 1.1 documents (the YAML Kubernetes reads).
 *
 * YAML is read as 1.1 throughout, as Helm and Kubernetes read it (`on`, `off`, `yes` and `no`
 * are booleans), and numbers from values are float64 (see helm-template.ts).
 *
 * From the command line it prints the manifests as `helm template` does:
 *
 *   npx tsx scripts/helm-render.ts deploy/helm/easypark -f my-values.yaml --set secrets.jwtSecret=... \
 *     [--name easypark] [--namespace default] [--skip-dependencies] [--notes]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { TemplateError, TemplateSet } from './helm-template.ts';

export { TemplateError } from './helm-template.ts';

export type Values = Record<string, unknown>;

export interface RenderOptions {
  /** Values over the chart's values.yaml, in order: objects, or paths of YAML files (like -f). */
  values?: Array<Values | string>;
  releaseName?: string;
  namespace?: string;
  /** Render even when an enabled dependency is not vendored in charts/ (its objects are left out). */
  skipDependencies?: boolean;
}

export interface RenderedFile {
  /** As in `helm template`'s `# Source:` lines, e.g. easypark/templates/services.yaml. */
  source: string;
  content: string;
}

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface RenderResult {
  files: RenderedFile[];
  /** Every object of every file, in order, each with the file it came from. */
  objects: Array<KubernetesObject & { source: string }>;
  notes: string;
  values: Values;
  skippedDependencies: string[];
}

export class ChartError extends Error {
  override name = 'ChartError';
}

/** Reads YAML as Helm does (YAML 1.1 via sigs.k8s.io/yaml): plain JSON-like data, nothing else. */
export function readYaml(text: string, where: string): unknown {
  const data = parse(text, { version: '1.1', uniqueKeys: true });
  return jsonLike(data, where);
}

function jsonLike(value: unknown, where: string): unknown {
  if (value === null || value === undefined) return null;
  if (['string', 'number', 'boolean'].includes(typeof value)) return value;
  if (Array.isArray(value)) return value.map((v, i) => jsonLike(v, `${where}[${i}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonLike(v, `${where}.${k}`)]));
  throw new ChartError(`${where}: a ${value?.constructor?.name ?? typeof value} is not plain YAML data`);
}

const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's value coalescing: `over` wins; maps merge recursively; a null in `over` deletes the key. */
export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = mergeValues(out[key] as Values, value);
    else out[key] = structuredClone(value);
  }
  return out;
}

/** The value at a dotted path (`postgresql.enabled`), or undefined. */
function at(values: Values, path: string): unknown {
  let v: unknown = values;
  for (const key of path.split('.')) {
    if (!isMap(v)) return undefined;
    v = v[key];
  }
  return v;
}

/** `--set a.b=c`: only plain dotted keys and scalar values (no lists, escapes or commas). */
export function parseSet(assignment: string): Values {
  const eq = assignment.indexOf('=');
  if (eq < 1) throw new ChartError(`--set ${assignment}: expected key=value`);
  const path = assignment.slice(0, eq);
  const text = assignment.slice(eq + 1);
  if (/[[\]{}\\,]/.test(assignment))
    throw new ChartError(`--set ${assignment}: lists, escapes and commas are not supported here; use -f`);
  const value =
    text === 'true'
      ? true
      : text === 'false'
        ? false
        : text === 'null'
          ? null
          : /^-?\d+$/.test(text)
            ? Number(text)
            : text;
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Values;
}

/** Chart.yaml as Helm's `.Chart` shows it (Go field names). */
function chartObject(meta: Values): Values {
  const names: Record<string, string> = {
    apiVersion: 'APIVersion',
    name: 'Name',
    version: 'Version',
    appVersion: 'AppVersion',
    description: 'Description',
    type: 'Type',
    kubeVersion: 'KubeVersion',
    keywords: 'Keywords',
    home: 'Home',
    sources: 'Sources',
    icon: 'Icon',
    maintainers: 'Maintainers',
    annotations: 'Annotations',
    dependencies: 'Dependencies',
    deprecated: 'Deprecated',
  };
  const out: Values = {};
  for (const [key, value] of Object.entries(meta)) {
    const name = names[key];
    if (!name) throw new ChartError(`Chart.yaml: unknown field ${key}`);
    out[name] = value;
  }
  return out;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

let ajv: Ajv | undefined;

/** Validates values against the chart's values.schema.json; returns Helm-like messages. */
export function schemaErrors(schema: object, values: Values): string[] {
  ajv ??= new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(schema);
  if (validate(values)) return [];
  return (validate.errors ?? []).map((e) => {
    const where = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    const extra =
      e.keyword === 'additionalProperties'
        ? `: ${(e.params as { additionalProperty: string }).additionalProperty}`
        : e.keyword === 'enum'
          ? `: ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`
          : '';
    return `${where}: ${e.message}${extra}`;
  });
}

export function renderChart(chartDir: string, options: RenderOptions = {}): RenderResult {
  const dir = resolve(chartDir);
  const meta = readYaml(readFileSync(join(dir, 'Chart.yaml'), 'utf8'), 'Chart.yaml');
  if (!isMap(meta)) throw new ChartError('Chart.yaml is not a map');
  if (meta.apiVersion !== 'v2') throw new ChartError('Chart.yaml: apiVersion must be v2');
  if (typeof meta.name !== 'string' || !/^[a-z0-9-]+$/.test(meta.name))
    throw new ChartError('Chart.yaml: bad name');
  if (typeof meta.version !== 'string' || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(meta.version))
    throw new ChartError('Chart.yaml: version must be SemVer 2');
  const chartName = meta.name;

  // 1. Values.
  let values = (readYaml(readFileSync(join(dir, 'values.yaml'), 'utf8'), 'values.yaml') ?? {}) as Values;
  if (!isMap(values)) throw new ChartError('values.yaml is not a map');
  for (const given of options.values ?? []) {
    const over = typeof given === 'string' ? readYaml(readFileSync(given, 'utf8'), given) : given;
    if (over !== null && !isMap(over)) throw new ChartError(`${String(given)}: values must be a map`);
    values = mergeValues(values, (over ?? {}) as Values);
  }

  // 2. Dependencies.
  const skippedDependencies: string[] = [];
  for (const dep of (meta.dependencies ?? []) as Values[]) {
    for (const unsupported of ['tags', 'import-values', 'alias'])
      if (unsupported in dep)
        throw new ChartError(`dependency ${String(dep.name)}: ${unsupported} is not supported`);
    const enabled = typeof dep.condition === 'string' ? at(values, dep.condition) !== false : true;
    if (!enabled) continue;
    const chartsDir = join(dir, 'charts');
    const vendored =
      existsSync(chartsDir) &&
      readdirSync(chartsDir).some((f) => f === dep.name || f.startsWith(`${String(dep.name)}-`));
    if (vendored)
      throw new ChartError(
        `dependency ${String(dep.name)} is vendored in charts/; rendering subcharts is not supported`,
      );
    if (!options.skipDependencies)
      throw new ChartError(
        `found in Chart.yaml, but missing in charts/ directory: ${String(dep.name)} (run helm dependency build, or render with --skip-dependencies / skipDependencies)`,
      );
    skippedDependencies.push(String(dep.name));
  }

  // 3. The values' schema.
  const schemaPath = join(dir, 'values.schema.json');
  if (existsSync(schemaPath)) {
    const problems = schemaErrors(JSON.parse(readFileSync(schemaPath, 'utf8')), values);
    if (problems.length)
      throw new ChartError(
        `values don't meet the specifications of the schema(s):\n- ${problems.join('\n- ')}`,
      );
  }

  // 4. Templates.
  const templatesDir = join(dir, 'templates');
  const set = new TemplateSet();
  const files = listFiles(templatesDir).map(
    (path) => `${chartName}/templates/${relative(templatesDir, path)}`,
  );
  for (const name of files) {
    const path = join(templatesDir, name.slice(`${chartName}/templates/`.length));
    if (!/\.(ya?ml|tpl|txt)$/.test(path)) throw new ChartError(`unexpected file in templates/: ${name}`);
    set.add(name, readFileSync(path, 'utf8'));
  }
  const top = (template: string) => ({
    Values: values,
    Release: {
      Name: options.releaseName ?? 'easypark',
      Namespace: options.namespace ?? 'default',
      Service: 'Helm',
      IsInstall: true,
      IsUpgrade: false,
      Revision: 1,
    },
    Chart: chartObject(meta),
    Template: { Name: template, BasePath: `${chartName}/templates` },
  });
  const rendered: RenderedFile[] = [];
  let notes = '';
  for (const name of files) {
    const file = basename(name);
    if (file.startsWith('_')) continue;
    const content = set.execute(name, top(name));
    if (file === 'NOTES.txt') notes = content;
    else if (content.trim()) rendered.push({ source: name, content });
  }

  // 5. Objects.
  const objects: RenderResult['objects'] = [];
  for (const { source, content } of rendered) {
    for (const doc of parseAllDocuments(content, { version: '1.1', uniqueKeys: true })) {
      if (doc.errors.length)
        throw new ChartError(`${source}: YAML parse error: ${doc.errors[0]!.message}\n${content}`);
      const object = jsonLike(doc.toJS(), source);
      if (object === null) continue;
      if (!isMap(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string')
        throw new ChartError(`${source}: a document without apiVersion and kind`);
      if (!isMap(object.metadata) || typeof object.metadata.name !== 'string')
        throw new ChartError(`${source}: ${object.kind} without metadata.name`);
      objects.push({ ...(object as unknown as KubernetesObject), source });
    }
  }
  return { files: rendered, objects, notes, values, skippedDependencies };
}

// ------------------------------------------------------------------------------------------------

function main(argv: string[]): void {
  const values: Array<Values | string> = [];
  const options: RenderOptions = { values };
  let chart: string | undefined;
  let showNotes = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new ChartError(`${arg} needs a value`);
      return value;
    };
    if (arg === '-f' || arg === '--values') values.push(next());
    else if (arg === '--set') values.push(parseSet(next()));
    else if (arg === '--name') options.releaseName = next();
    else if (arg === '--namespace' || arg === '-n') options.namespace = next();
    else if (arg === '--skip-dependencies') options.skipDependencies = true;
    else if (arg === '--notes') showNotes = true;
    else if (!arg.startsWith('-') && !chart) chart = arg;
    else throw new ChartError(`unknown argument ${arg}`);
  }
  if (!chart)
    throw new ChartError('usage: helm-render.ts CHART_DIR [-f values.yaml]... [--set key=value]...');
  const result = renderChart(chart, options);
  // Like helm template: each document apart, under the file it came from.
  for (const file of result.files)
    for (const doc of file.content.split(/^---\s*$/m))
      if (doc.trim())
        process.stdout.write(`---\n# Source: ${file.source}\n${doc.replace(/^\n+/, '').trimEnd()}\n`);
  if (showNotes) process.stdout.write(`\nNOTES:\n${result.notes}\n`);
  if (result.skippedDependencies.length)
    process.stderr.write(`not rendered (not vendored): ${result.skippedDependencies.join(', ')}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ChartError || error instanceof TemplateError) {
      console.error(`Error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}
