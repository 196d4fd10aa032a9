/**
 * A small Go text/template engine with the Sprig functions our Helm chart uses, so that CI can
 * render deploy/helm without the `helm` binary (scripts/helm-render.ts loads the chart around it).
 *
 * It implements the part of Go templates that Helm charts are written in, with Go's semantics,
 * and throws on everything else rather than guessing:
 *
 *   text and actions      {{ pipeline }}, {{- trims whitespace before, -}} after, {{/* comments *\/}}
 *   control               if / else if / else / end, range (lists, maps in sorted key order,
 *                         `$i, $v :=`), with / else, define, template, include
 *   pipelines             `.A.B`, `$`, `$x.A`, `(pipeline).A`, `a | f b` (the value goes last),
 *                         variables `$x := ...` and `$x = ...` scoped to their block
 *   literals              "strings" (Go escapes), `raw strings`, integers, floats, true, false, nil
 *   functions             see `functions` below (Go's builtins and a handful of Sprig's)
 *
 * Not implemented (a template using them fails to render here): block, break, continue, else with,
 * character constants, methods, `tpl`, `lookup`, `.Files`, `.Capabilities`.
 *
 * Two details follow Helm rather than plain Go: a value that is missing or nil prints as an empty
 * string (Helm removes Go's "<no value>"), and numbers from values files are float64 while
 * integer literals in templates are int, so `eq .Values.n 1` is an error, as it is in Helm.
 * Missing map keys are an error here (like `helm lint --strict`): every key the chart reads must
 * be in values.yaml, which catches misspelt value names.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** An integer typed as Go's int: integer literals in templates, and what `int` and `len` return. */
export class GoInt {
  constructor(readonly value: number) {
    if (!Number.isSafeInteger(value)) throw new TemplateError(`${value} is not an integer`);
  }
}

type Data = unknown;
type Dict = Record<string, Data>;

// ------------------------------------------------------------------------------------------------
// Lexing: the source becomes text pieces and actions (each a list of tokens).

type Token =
  | { kind: 'field'; name: string; spaceBefore: boolean } // .Name
  | { kind: 'dot'; spaceBefore: boolean } // .
  | { kind: 'variable'; name: string; spaceBefore: boolean } // $ or $name
  | { kind: 'ident'; name: string; spaceBefore: boolean } // if, range, default, true, nil ...
  | { kind: 'string'; value: string; spaceBefore: boolean }
  | { kind: 'number'; text: string; spaceBefore: boolean }
  | { kind: 'punct'; value: '(' | ')' | '|' | ':=' | '=' | ','; spaceBefore: boolean };

type Piece = { kind: 'text'; text: string } | { kind: 'action'; tokens: Token[]; line: number };

const spaceChars = ' \t\r\n';
const isSpace = (c: string | undefined) => c !== undefined && spaceChars.includes(c);
const trimEndSpace = (s: string) => s.replace(/[ \t\r\n]+$/, '');
const trimStartSpace = (s: string) => s.replace(/^[ \t\r\n]+/, '');

function lex(source: string, name: string): Piece[] {
  const pieces: Piece[] = [];
  let pos = 0;
  let trimNextText = false;
  const lineAt = (at: number) => source.slice(0, at).split('\n').length;
  const fail = (at: number, message: string): never => {
    throw new TemplateError(`${name}:${lineAt(at)}: ${message}`);
  };
  const pushText = (text: string) => {
    const t = trimNextText ? trimStartSpace(text) : text;
    trimNextText = false;
    if (t) pieces.push({ kind: 'text', text: t });
  };

  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open < 0) {
      pushText(source.slice(pos));
      break;
    }
    let text = source.slice(pos, open);
    let at = open + 2;
    // `{{- ` trims the whitespace before the action; the dash must be followed by a space.
    if (source[at] === '-' && isSpace(source[at + 1])) {
      text = trimEndSpace(trimNextText ? trimStartSpace(text) : text);
      trimNextText = false;
      at += 2;
    }
    pushText(text);
    while (isSpace(source[at])) at++;
    if (source.startsWith('/*', at)) {
      const end = source.indexOf('*/', at + 2);
      if (end < 0) fail(open, 'unclosed comment');
      at = end + 2;
      if (source.startsWith(' -}}', at)) {
        trimNextText = true;
        pos = at + 4;
      } else if (source.startsWith('}}', at)) pos = at + 2;
      else fail(open, 'comment ends before closing delimiter');
      continue;
    }
    const { tokens, end, trimAfter } = lexAction(source, at, (message) => fail(open, message));
    pieces.push({ kind: 'action', tokens, line: lineAt(open) });
    trimNextText = trimAfter;
    pos = end;
  }
  return pieces;
}

function lexAction(
  source: string,
  start: number,
  fail: (message: string) => never,
): { tokens: Token[]; end: number; trimAfter: boolean } {
  const tokens: Token[] = [];
  let at = start;
  let spaceBefore = true;
  const identChar = /[A-Za-z0-9_]/;
  for (;;) {
    if (at >= source.length) fail('unclosed action');
    const c = source[at]!;
    if (isSpace(c)) {
      // ` -}}`: the end of the action, trimming the whitespace after it.
      if (source.startsWith('-}}', at + 1)) return { tokens, end: at + 4, trimAfter: true };
      at++;
      spaceBefore = true;
      continue;
    }
    if (source.startsWith('}}', at)) return { tokens, end: at + 2, trimAfter: false };
    const sb = spaceBefore;
    spaceBefore = false;
    if (c === '"') {
      let end = at + 1;
      while (end < source.length && source[end] !== '"') {
        if (source[end] === '\n') fail('newline in a quoted string');
        end += source[end] === '\\' ? 2 : 1;
      }
      if (end >= source.length) fail('unterminated quoted string');
      tokens.push({ kind: 'string', value: unquoteGo(source.slice(at, end + 1), fail), spaceBefore: sb });
      at = end + 1;
    } else if (c === '`') {
      const end = source.indexOf('`', at + 1);
      if (end < 0) fail('unterminated raw string');
      tokens.push({ kind: 'string', value: source.slice(at + 1, end), spaceBefore: sb });
      at = end + 1;
    } else if (c === "'") {
      fail('character constants are not supported');
    } else if (c === '.' && identChar.test(source[at + 1] ?? '') && !/[0-9]/.test(source[at + 1]!)) {
      let end = at + 1;
      while (identChar.test(source[end] ?? '')) end++;
      tokens.push({ kind: 'field', name: source.slice(at + 1, end), spaceBefore: sb });
      at = end;
    } else if (c === '.' && !/[0-9]/.test(source[at + 1] ?? '')) {
      tokens.push({ kind: 'dot', spaceBefore: sb });
      at++;
    } else if (c === '$') {
      let end = at + 1;
      while (identChar.test(source[end] ?? '')) end++;
      tokens.push({ kind: 'variable', name: source.slice(at, end), spaceBefore: sb });
      at = end;
    } else if (
      /[0-9]/.test(c) ||
      ((c === '-' || c === '+' || c === '.') && /[0-9]/.test(source[at + 1] ?? ''))
    ) {
      const match = /^[-+]?(0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+([eE][-+]?[0-9]+)?)/.exec(source.slice(at));
      if (!match) fail(`bad number at ${source.slice(at, at + 10)}`);
      tokens.push({ kind: 'number', text: match![0], spaceBefore: sb });
      at += match![0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      let end = at + 1;
      while (identChar.test(source[end] ?? '')) end++;
      tokens.push({ kind: 'ident', name: source.slice(at, end), spaceBefore: sb });
      at = end;
    } else if (source.startsWith(':=', at)) {
      tokens.push({ kind: 'punct', value: ':=', spaceBefore: sb });
      at += 2;
    } else if (c === '(' || c === ')' || c === '|' || c === '=' || c === ',') {
      tokens.push({ kind: 'punct', value: c, spaceBefore: sb });
      at++;
    } else {
      fail(`unexpected ${JSON.stringify(c)} in action`);
    }
  }
}

/** A Go interpreted string literal ("..."), with Go's escapes. */
function unquoteGo(literal: string, fail: (message: string) => never): string {
  const body = literal.slice(1, -1);
  const simple: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    '"': '"',
    a: '\x07',
    b: '\b',
    f: '\f',
    v: '\v',
  };
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e in simple) return simple[e]!;
    if (/^[xuU]/.test(e)) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    return fail(`unknown escape \\${e} in ${literal}`);
  });
}

// ------------------------------------------------------------------------------------------------
// Parsing: pieces become a tree.

type Operand =
  | { kind: 'field'; receiver: 'dot'; path: string[] } // .A.B, or . itself (empty path)
  | { kind: 'variable'; name: string; path: string[] } // $x.A
  | { kind: 'function'; name: string }
  | { kind: 'literal'; value: Data }
  | { kind: 'pipe'; pipe: Pipe; path: string[] }; // (pipeline).A

interface Command {
  args: Operand[];
}
interface Pipe {
  decl: string[];
  assign: boolean; // `$x = ...` sets an existing variable; `$x := ...` declares one
  commands: Command[];
}

type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipe; line: number }
  | { type: 'if' | 'with' | 'range'; pipe: Pipe; list: Node[]; elseList: Node[] | null; line: number }
  | { type: 'template'; name: string; pipe: Pipe | null; line: number };

export interface ParsedTemplate {
  name: string;
  root: Node[];
  defines: Map<string, Node[]>;
}

const unsupportedKeywords = new Set(['block', 'break', 'continue']);

export function parseTemplate(source: string, name: string): ParsedTemplate {
  const pieces = lex(source, name);
  const defines = new Map<string, Node[]>();
  let index = 0;
  const fail = (line: number, message: string): never => {
    throw new TemplateError(`${name}:${line}: ${message}`);
  };

  /** Parses nodes until `end` or `else`; returns which one stopped it (null at the end of the source). */
  function parseList(topLevel: boolean): {
    nodes: Node[];
    stop: null | { word: 'end' } | { word: 'else'; rest: Token[]; line: number };
  } {
    const nodes: Node[] = [];
    while (index < pieces.length) {
      const piece = pieces[index++]!;
      if (piece.kind === 'text') {
        nodes.push({ type: 'text', text: piece.text });
        continue;
      }
      const [first, ...rest] = piece.tokens;
      const line = piece.line;
      if (!first) fail(line, 'empty action');
      const keyword = first!.kind === 'ident' ? first!.name : '';
      if (keyword === 'end') {
        if (rest.length) fail(line, 'unexpected tokens after end');
        return { nodes, stop: { word: 'end' } };
      }
      if (keyword === 'else') return { nodes, stop: { word: 'else', rest, line } };
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        nodes.push(parseControl(keyword, rest, line));
      } else if (keyword === 'define') {
        if (!topLevel) fail(line, 'define is only allowed at the top level');
        const nameToken = rest[0];
        if (rest.length !== 1 || nameToken?.kind !== 'string') fail(line, 'define needs one quoted name');
        const body = parseList(false);
        if (body.stop?.word !== 'end')
          fail(line, `define ${JSON.stringify((nameToken as { value: string }).value)} has no end`);
        defines.set((nameToken as { value: string }).value, body.nodes);
      } else if (keyword === 'template') {
        const nameToken = rest[0];
        if (nameToken?.kind !== 'string') fail(line, 'template needs a quoted name');
        const pipe = rest.length > 1 ? parsePipe(rest.slice(1), line, false) : null;
        nodes.push({ type: 'template', name: (nameToken as { value: string }).value, pipe, line });
      } else if (unsupportedKeywords.has(keyword)) {
        fail(line, `{{ ${keyword} }} is not supported by this renderer`);
      } else {
        nodes.push({ type: 'action', pipe: parsePipe(piece.tokens, line, false), line });
      }
    }
    return { nodes, stop: null };
  }

  function parseControl(type: 'if' | 'with' | 'range', tokens: Token[], line: number): Node {
    const pipe = parsePipe(tokens, line, type === 'range');
    if (type === 'if' && pipe.decl.length)
      fail(line, 'variables declared in if conditions are not supported');
    const body = parseList(false);
    if (!body.stop) fail(line, `${type} has no end`);
    let elseList: Node[] | null = null;
    if (body.stop!.word === 'else') {
      const { rest, line: elseLine } = body.stop as { rest: Token[]; line: number };
      if (rest.length) {
        // `else if ...` is an if nested in the else branch that shares the outer end.
        const [word, ...condition] = rest;
        if (word?.kind !== 'ident' || word.name !== 'if' || type !== 'if')
          fail(elseLine, `{{ else ${word?.kind === 'ident' ? word.name : '...'} }} is not supported here`);
        elseList = [parseControl('if', condition, elseLine)];
      } else {
        const tail = parseList(false);
        if (tail.stop?.word !== 'end') fail(line, `${type} ... else has no end`);
        elseList = tail.nodes;
      }
    }
    return { type, pipe, list: body.nodes, elseList, line };
  }

  function parsePipe(tokens: Token[], line: number, isRange: boolean): Pipe {
    let at = 0;
    const decl: string[] = [];
    let assign = false;
    // Declarations: `$x :=`, `$x =`, and in range `$i, $v :=`.
    const declEnd = tokens.findIndex((t) => t.kind === 'punct' && (t.value === ':=' || t.value === '='));
    if (
      declEnd > 0 &&
      tokens.slice(0, declEnd).every((t) => t.kind === 'variable' || (t.kind === 'punct' && t.value === ','))
    ) {
      const names = tokens.slice(0, declEnd).filter((t) => t.kind === 'variable') as { name: string }[];
      if (names.length > (isRange ? 2 : 1)) fail(line, 'too many declarations');
      decl.push(...names.map((n) => n.name));
      assign = (tokens[declEnd] as { value: string }).value === '=';
      at = declEnd + 1;
    }
    const commands: Command[] = [];
    let args: Operand[] = [];
    while (at < tokens.length) {
      const token = tokens[at]!;
      if (token.kind === 'punct' && token.value === '|') {
        if (!args.length) fail(line, 'missing command before |');
        commands.push({ args });
        args = [];
        at++;
        continue;
      }
      const { operand, next } = parseOperand(tokens, at, line);
      args.push(operand);
      at = next;
    }
    if (!args.length) fail(line, 'missing command');
    commands.push({ args });
    return { decl, assign, commands };
  }

  /** One operand and the field names chained onto it without spaces (`$x.A.B`, `(f x).A`). */
  function parseOperand(tokens: Token[], at: number, line: number): { operand: Operand; next: number } {
    const token = tokens[at]!;
    let operand: Operand;
    let next = at + 1;
    switch (token.kind) {
      case 'dot':
        operand = { kind: 'field', receiver: 'dot', path: [] };
        break;
      case 'field':
        operand = { kind: 'field', receiver: 'dot', path: [token.name] };
        break;
      case 'variable':
        operand = { kind: 'variable', name: token.name, path: [] };
        break;
      case 'string':
        operand = { kind: 'literal', value: token.value };
        break;
      case 'number':
        operand = { kind: 'literal', value: parseNumber(token.text, line) };
        break;
      case 'ident':
        if (token.name === 'true' || token.name === 'false')
          operand = { kind: 'literal', value: token.name === 'true' };
        else if (token.name === 'nil') operand = { kind: 'literal', value: null };
        else if (['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block'].includes(token.name))
          return fail(line, `unexpected keyword ${token.name}`);
        else operand = { kind: 'function', name: token.name };
        break;
      case 'punct': {
        if (token.value !== '(') return fail(line, `unexpected ${token.value}`);
        let depth = 1;
        let end = at + 1;
        for (; end < tokens.length; end++) {
          const t = tokens[end]!;
          if (t.kind === 'punct' && t.value === '(') depth++;
          if (t.kind === 'punct' && t.value === ')' && --depth === 0) break;
        }
        if (end >= tokens.length) return fail(line, 'unclosed (');
        operand = { kind: 'pipe', pipe: parsePipe(tokens.slice(at + 1, end), line, false), path: [] };
        next = end + 1;
        break;
      }
    }
    // Fields written right after an operand belong to it.
    while (next < tokens.length) {
      const t = tokens[next]!;
      if (t.kind !== 'field' || t.spaceBefore) break;
      if (operand.kind === 'field' || operand.kind === 'variable' || operand.kind === 'pipe')
        operand.path.push(t.name);
      else return fail(line, `cannot take field ${t.name} of a ${operand.kind}`);
      next++;
    }
    return { operand, next };
  }

  const { nodes, stop } = parseList(true);
  if (stop) fail(0, `unexpected {{ ${stop.word} }}`);
  return { name, root: nodes, defines };
}

function parseNumber(text: string, line: number): Data {
  const clean = text.replace(/_/g, '');
  if (/^[-+]?0[xX]/.test(clean)) return new GoInt(Number.parseInt(clean, 16));
  if (/^[-+]?[0-9]+$/.test(clean)) {
    if (/^[-+]?0[0-9]/.test(clean)) throw new TemplateError(`line ${line}: octal literals are not supported`);
    return new GoInt(Number(clean));
  }
  const value = Number(clean);
  if (Number.isNaN(value)) throw new TemplateError(`line ${line}: bad number ${text}`);
  return value;
}

// ------------------------------------------------------------------------------------------------
// Values: Go's view of them.

const isDict = (v: Data): v is Dict =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoInt);

/** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function truth(v: Data): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof GoInt) return v.value !== 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  throw new TemplateError(`cannot decide whether ${String(v)} is true`);
}

/**
 * A float64 as Go's %v prints it (strconv 'g', shortest): an exponent when the decimal exponent is
 * below -4 or at least 6, so 100000 prints as is and 1000000 as 1e+06 (a known Helm surprise).
 */
export function formatFloat(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, expText] = f.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6)
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(f);
}

/** How a value prints in template output (fmt's %v). */
export function printValue(v: Data): string {
  if (v === null || v === undefined) return ''; // Go prints <no value>; Helm removes it
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof GoInt) return String(v.value);
  if (typeof v === 'number') return formatFloat(v);
  throw new TemplateError(
    `printing a ${Array.isArray(v) ? 'list' : 'map'} directly gives Go's map[...] form: use toYaml or toJson`,
  );
}

/** Sprig's `strval`: strings as they are, everything else as printed. */
const strval = (v: Data): string => printValue(v);

const kindOf = (v: Data): string => {
  if (v === null || v === undefined) return 'nil';
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return 'list';
  if (isDict(v)) return 'map';
  return typeof v;
};

/** Go's reflect.Kind name, as Sprig's kindOf and kindIs give it. */
function reflectKind(v: Data): string {
  if (v === null || v === undefined) return 'invalid';
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return 'slice';
  if (isDict(v)) return 'map';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** Data with GoInt turned back into numbers, for toYaml and dict values leaving the template. */
export function plain(v: Data): Data {
  if (v instanceof GoInt) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

// ------------------------------------------------------------------------------------------------
// Functions.

interface Env {
  include(name: string, data: Data): string;
}
type Fn = (env: Env, args: Data[]) => Data;

const asString = (name: string, v: Data): string => {
  if (typeof v !== 'string') throw new TemplateError(`${name}: expected a string, got ${kindOf(v)}`);
  return v;
};
/** A Go int parameter: an int literal or `int` result; a float64 from values is refused, as in Go. */
const asInt = (name: string, v: Data): number => {
  if (!(v instanceof GoInt)) throw new TemplateError(`${name}: expected int, got ${kindOf(v)} (use int)`);
  return v.value;
};

/** Go's eq/lt etc. compare values of one basic kind; int against float64 is an error. */
function comparable(name: string, a: Data, b: Data): [number | string | boolean, number | string | boolean] {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) throw new TemplateError(`${name}: incompatible types for comparison (${ka} and ${kb})`);
  if (a instanceof GoInt && b instanceof GoInt) return [a.value, b.value];
  if (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean')
    return [a, b as number | string | boolean];
  throw new TemplateError(`${name}: cannot compare ${ka} values`);
}

/** Sprig's `empty`: nil, false, 0, "" and empty collections. */
const empty = (v: Data) => !truth(v);

function goSprint(args: Data[]): string {
  // fmt.Sprint: a space between two operands when neither is a string.
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += a === null || a === undefined ? '<nil>' : printValue(a);
  });
  return out;
}

function goSprintf(format: string, args: Data[]): string {
  let next = 0;
  const out = format.replace(
    /%([-+# 0]*\d*(?:\.\d+)?)?([a-zA-Z%])/g,
    (whole, flags: string | undefined, verb) => {
      if (verb === '%') return '%';
      if (flags) throw new TemplateError(`printf: flags and widths (${whole}) are not supported`);
      if (next >= args.length) throw new TemplateError(`printf: missing argument for ${whole}`);
      const arg = args[next++];
      switch (verb) {
        case 's': // Go prints %!s(float64=1) for a number: only strings here (toString the others)
          return asString('printf %s', arg);
        case 'v':
          return printValue(arg);
        case 'd':
          return String(asInt('printf %d', arg));
        case 'q':
          return JSON.stringify(strval(arg));
        default:
          throw new TemplateError(`printf: verb %${verb} is not supported`);
      }
    },
  );
  if (next !== args.length)
    throw new TemplateError(`printf: ${args.length - next} extra argument(s) for ${format}`);
  return out;
}

function indentLines(spaces: number, text: string): string {
  const pad = ' '.repeat(spaces);
  return pad + text.replaceAll('\n', `\n${pad}`);
}

/** Sprig's toYaml (sigs.k8s.io/yaml): block style, keys sorted, no trailing newline. */
export function toYaml(v: Data): string {
  const text = stringify(plain(v), {
    version: '1.1', // quote what YAML 1.1 readers would take for booleans (on, off, yes, no)
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
  return text.replace(/\n$/, '');
}

/** A function of a fixed number of arguments (Go checks the count before calling). */
const fixed =
  (count: number, fn: (...args: Data[]) => Data): Fn =>
  (_env, args) => {
    if (args.length !== count) throw new TemplateError(`wants ${count} argument(s), got ${args.length}`);
    return fn(...args);
  };

const functions: Record<string, Fn> = {
  // Go's builtins (and and or are in the evaluator: they evaluate their arguments lazily).
  not: fixed(1, (v) => !truth(v)),
  eq: (_, [a, ...bs]) => {
    if (!bs.length) throw new TemplateError('eq: missing argument for comparison');
    return bs.some((b) => {
      const [x, y] = comparable('eq', a, b);
      return x === y;
    });
  },
  ne: fixed(2, (a, b) => {
    const [x, y] = comparable('ne', a, b);
    return x !== y;
  }),
  lt: fixed(2, (a, b) => ordered('lt', a, b) < 0),
  le: fixed(2, (a, b) => ordered('le', a, b) <= 0),
  gt: fixed(2, (a, b) => ordered('gt', a, b) > 0),
  ge: fixed(2, (a, b) => ordered('ge', a, b) >= 0),
  len: fixed(1, (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return new GoInt(v.length);
    if (isDict(v)) return new GoInt(Object.keys(v).length);
    throw new TemplateError(`len of ${kindOf(v)}`);
  }),
  index: (_, [collection, ...keys]) => {
    let v = collection;
    for (const key of keys) {
      if (Array.isArray(v)) {
        const i = asInt('index', key);
        if (i < 0 || i >= v.length) throw new TemplateError(`index out of range: ${i}`);
        v = v[i];
      } else if (isDict(v)) {
        const name = asString('index', key);
        v = Object.hasOwn(v, name) ? v[name] : null;
      } else throw new TemplateError(`cannot index ${kindOf(v)}`);
    }
    return v;
  },
  print: (_, args) => goSprint(args),
  printf: (_, [format, ...args]) => goSprintf(asString('printf', format), args),

  // Sprig.
  default: (_, [fallback, ...given]) => (given.length === 0 || empty(given[0]) ? fallback : given[0]),
  empty: fixed(1, (v) => empty(v)),
  required: fixed(2, (message, value) => {
    if (value === null || value === undefined || value === '')
      throw new TemplateError(asString('required', message));
    return value;
  }),
  fail: fixed(1, (message) => {
    throw new TemplateError(asString('fail', message));
  }),
  quote: (_, args) =>
    args
      .filter((a) => a !== null && a !== undefined)
      .map((a) => JSON.stringify(strval(a)))
      .join(' '),
  squote: (_, args) =>
    args
      .filter((a) => a !== null && a !== undefined)
      .map((a) => `'${strval(a)}'`)
      .join(' '),
  toString: fixed(1, (v) => strval(v)),
  int: fixed(1, (v) => {
    if (v instanceof GoInt) return v;
    if (typeof v === 'number') return new GoInt(Math.trunc(v));
    if (typeof v === 'string' && /^[-+]?\d+$/.test(v.trim())) return new GoInt(Number(v.trim()));
    if (typeof v === 'boolean') return new GoInt(v ? 1 : 0);
    return new GoInt(0);
  }),
  upper: fixed(1, (s) => asString('upper', s).toUpperCase()),
  lower: fixed(1, (s) => asString('lower', s).toLowerCase()),
  trim: fixed(1, (s) => asString('trim', s).trim()),
  trimSuffix: fixed(2, (suffix, s) => {
    const [end, text] = [asString('trimSuffix', suffix), asString('trimSuffix', s)];
    return end && text.endsWith(end) ? text.slice(0, -end.length) : text;
  }),
  trimPrefix: fixed(2, (prefix, s) => {
    const [start, text] = [asString('trimPrefix', prefix), asString('trimPrefix', s)];
    return start && text.startsWith(start) ? text.slice(start.length) : text;
  }),
  trunc: fixed(2, (count, s) => {
    const n = asInt('trunc', count);
    const text = asString('trunc', s);
    if (n < 0 && text.length + n > 0) return text.slice(text.length + n);
    return n >= 0 && text.length > n ? text.slice(0, n) : text;
  }),
  replace: fixed(3, (from, to, s) =>
    asString('replace', s).replaceAll(asString('replace', from), asString('replace', to)),
  ),
  contains: fixed(2, (needle, haystack) => strval(haystack).includes(strval(needle))),
  hasPrefix: fixed(2, (prefix, s) => strval(s).startsWith(strval(prefix))),
  join: fixed(2, (separator, list) => {
    if (!Array.isArray(list)) throw new TemplateError(`join: expected a list, got ${kindOf(list)}`);
    return list.map(strval).join(asString('join', separator));
  }),
  indent: fixed(2, (spaces, s) => indentLines(asInt('indent', spaces), strval(s))),
  nindent: fixed(2, (spaces, s) => `\n${indentLines(asInt('nindent', spaces), strval(s))}`),
  b64enc: fixed(1, (s) => Buffer.from(strval(s), 'utf8').toString('base64')),
  sha256sum: fixed(1, (s) => createHash('sha256').update(strval(s)).digest('hex')),
  toYaml: fixed(1, (v) => toYaml(v)),
  toJson: fixed(1, (v) => JSON.stringify(plain(v)) ?? 'null'),
  dict: (_, args) => {
    if (args.length % 2) throw new TemplateError('dict: wants key/value pairs');
    const out: Dict = {};
    for (let i = 0; i < args.length; i += 2) out[strval(args[i])] = args[i + 1];
    return out;
  },
  list: (_, args) => [...args],
  hasKey: fixed(2, (map, key) => {
    if (!isDict(map)) throw new TemplateError(`hasKey: expected a map, got ${kindOf(map)}`);
    return Object.hasOwn(map, asString('hasKey', key));
  }),
  keys: (_, args) => {
    if (!args.every(isDict)) throw new TemplateError('keys: expected maps');
    return args.flatMap((m) => Object.keys(m as Dict));
  },
  sortAlpha: fixed(1, (list) => {
    if (!Array.isArray(list)) throw new TemplateError(`sortAlpha: expected a list, got ${kindOf(list)}`);
    return list.map(strval).sort(compareStrings);
  }),
  ternary: fixed(3, (ifTrue, ifFalse, condition) => {
    if (typeof condition !== 'boolean')
      throw new TemplateError(`ternary: the condition must be a bool, got ${kindOf(condition)}`);
    return condition ? ifTrue : ifFalse;
  }),
  kindOf: fixed(1, (v) => reflectKind(v)),
  kindIs: fixed(2, (kind, v) => asString('kindIs', kind) === reflectKind(v)),
  include: (env, args) => {
    if (args.length !== 2) throw new TemplateError(`wants 2 arguments, got ${args.length}`);
    return env.include(asString('include', args[0]), args[1]);
  },
};

/** Go sorts map keys and strings byte-wise, not by locale. */
const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function ordered(name: string, a: Data, b: Data): number {
  const [x, y] = comparable(name, a, b);
  if (typeof x === 'boolean') throw new TemplateError(`${name}: booleans have no order`);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const functionNames = [...Object.keys(functions), 'and', 'or'].sort();

// ------------------------------------------------------------------------------------------------
// Evaluation.

interface Frame {
  dot: Data;
  vars: Array<[string, Data]>;
}

/** Templates parsed together (Helm: every file of a chart), so that they can include each other. */
export class TemplateSet {
  private readonly named = new Map<string, Node[]>();
  private depth = 0;

  add(name: string, source: string): void {
    const parsed = parseTemplate(source, name);
    this.named.set(name, parsed.root);
    for (const [define, body] of parsed.defines) this.named.set(define, body);
  }

  has(name: string): boolean {
    return this.named.has(name);
  }

  /** Executes a template (a file added under that name, or a define) with the given data. */
  execute(name: string, data: Data): string {
    const body = this.named.get(name);
    if (!body) throw new TemplateError(`no template named ${JSON.stringify(name)}`);
    if (++this.depth > 100) throw new TemplateError(`templates include each other too deeply (at ${name})`);
    try {
      const out: string[] = [];
      this.walk(body, { dot: data, vars: [['$', data]] }, out, name);
      return out.join('');
    } finally {
      this.depth--;
    }
  }

  private walk(nodes: Node[], frame: Frame, out: string[], where: string): void {
    for (const node of nodes) {
      const at = node.type === 'text' ? where : `${where}:${node.line}`;
      try {
        this.step(node, frame, out, where);
      } catch (error) {
        if (error instanceof TemplateError && !error.message.startsWith(where))
          throw new TemplateError(`${at}: ${error.message}`);
        throw error;
      }
    }
  }

  private step(node: Node, frame: Frame, out: string[], where: string): void {
    switch (node.type) {
      case 'text':
        out.push(node.text);
        return;
      case 'action': {
        const value = this.evalPipe(node.pipe, frame);
        if (!node.pipe.decl.length) out.push(printValue(value));
        return;
      }
      case 'template': {
        const data = node.pipe ? this.evalPipe(node.pipe, frame) : null;
        out.push(this.execute(node.name, data));
        return;
      }
      case 'if':
      case 'with': {
        const mark = frame.vars.length;
        const value = this.evalPipe(node.pipe, frame);
        if (truth(value)) {
          const inner: Frame = node.type === 'with' ? { dot: value, vars: frame.vars } : frame;
          this.walk(node.list, inner, out, where);
        } else if (node.elseList) this.walk(node.elseList, frame, out, where);
        frame.vars.length = mark;
        return;
      }
      case 'range': {
        const mark = frame.vars.length;
        const { decl } = node.pipe;
        const value = this.evalPipe({ ...node.pipe, decl: [] }, frame);
        let entries: Array<[Data, Data]>;
        if (Array.isArray(value)) entries = value.map((v, i) => [new GoInt(i), v]);
        else if (isDict(value))
          entries = Object.keys(value)
            .sort(compareStrings)
            .map((k) => [k, value[k]]);
        else if (value === null || value === undefined) entries = [];
        else throw new TemplateError(`range can't iterate over ${kindOf(value)}`);
        if (!entries.length) {
          if (node.elseList) this.walk(node.elseList, frame, out, where);
          return;
        }
        for (const [key, element] of entries) {
          frame.vars.length = mark;
          if (decl.length === 1) frame.vars.push([decl[0]!, element]);
          if (decl.length === 2) frame.vars.push([decl[0]!, key], [decl[1]!, element]);
          this.walk(node.list, { dot: element, vars: frame.vars }, out, where);
        }
        frame.vars.length = mark;
        return;
      }
    }
  }

  private evalPipe(pipe: Pipe, frame: Frame): Data {
    let value: Data;
    pipe.commands.forEach((command, i) => {
      value = this.evalCommand(command, frame, i === 0 ? undefined : { value });
    });
    for (const name of pipe.decl) {
      if (pipe.assign) {
        const slot = findVar(frame, name);
        slot[1] = value;
      } else frame.vars.push([name, value]);
    }
    return value;
  }

  private evalCommand(command: Command, frame: Frame, piped: { value: Data } | undefined): Data {
    const [first, ...rest] = command.args;
    if (first!.kind === 'function') return this.callFunction(first!.name, rest, frame, piped);
    if (rest.length || piped)
      throw new TemplateError(`can't give arguments to a non-function (${describe(first!)})`);
    return this.evalOperand(first!, frame);
  }

  private callFunction(
    name: string,
    argNodes: Operand[],
    frame: Frame,
    piped: { value: Data } | undefined,
  ): Data {
    const args = () => {
      const values = argNodes.map((a) => this.evalArg(a, frame));
      if (piped) values.push(piped.value);
      return values;
    };
    // and/or stop at the first argument that decides, and return it (Go 1.18).
    if (name === 'and' || name === 'or') {
      const thunks: Array<() => Data> = argNodes.map((a) => () => this.evalArg(a, frame));
      if (piped) thunks.push(() => piped.value);
      if (!thunks.length) throw new TemplateError(`${name}: wants at least 1 argument`);
      let last: Data = null;
      for (const thunk of thunks) {
        last = thunk();
        if (truth(last) === (name === 'or')) return last;
      }
      return last;
    }
    const fn = functions[name];
    if (!fn)
      throw new TemplateError(
        `function "${name}" not defined (this renderer has: ${functionNames.join(', ')})`,
      );
    try {
      return fn({ include: (n, d) => this.execute(n, d) }, args());
    } catch (error) {
      // Name the function in its own complaints ("wants 2 arguments" says little alone).
      if (error instanceof TemplateError && /^wants \d/.test(error.message))
        throw new TemplateError(`${name}: ${error.message}`);
      throw error;
    }
  }

  /** An argument: a bare function name as an argument is called with no arguments, as in Go. */
  private evalArg(operand: Operand, frame: Frame): Data {
    if (operand.kind === 'function') return this.callFunction(operand.name, [], frame, undefined);
    return this.evalOperand(operand, frame);
  }

  private evalOperand(operand: Operand, frame: Frame): Data {
    switch (operand.kind) {
      case 'literal':
        return operand.value;
      case 'field':
        return fieldPath(frame.dot, operand.path, '.');
      case 'variable':
        return fieldPath(findVar(frame, operand.name)[1], operand.path, operand.name);
      case 'pipe':
        return fieldPath(
          this.evalPipe(operand.pipe, { dot: frame.dot, vars: frame.vars }),
          operand.path,
          '(...)',
        );
      case 'function':
        return this.callFunction(operand.name, [], frame, undefined);
    }
  }
}

function findVar(frame: Frame, name: string): [string, Data] {
  for (let i = frame.vars.length - 1; i >= 0; i--) if (frame.vars[i]![0] === name) return frame.vars[i]!;
  throw new TemplateError(`undefined variable ${name}`);
}

function fieldPath(start: Data, path: string[], from: string): Data {
  let value = start;
  let where = from === '.' ? '' : from;
  for (const key of path) {
    where += `.${key}`;
    if (value === null || value === undefined) throw new TemplateError(`nil pointer evaluating ${where}`);
    if (!isDict(value))
      throw new TemplateError(`can't evaluate field ${key} in a ${kindOf(value)} (${where})`);
    if (!Object.hasOwn(value, key)) throw new TemplateError(`map has no entry for key "${key}" (${where})`);
    value = value[key];
  }
  return value;
}

function describe(operand: Operand): string {
  switch (operand.kind) {
    case 'field':
      return `.${operand.path.join('.')}`;
    case 'variable':
      return [operand.name, ...operand.path].join('.');
    case 'literal':
      return JSON.stringify(plain(operand.value));
    default:
      return operand.kind;
  }
}
