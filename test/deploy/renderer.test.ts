/**
 * scripts/helm-template.ts against what Go's text/template and Sprig do (the expected outputs are
 * Go's), and against what it must refuse rather than guess.
 */
import { describe, expect, it } from 'vitest';
import { mergeValues, parseSet, readYaml } from '../../scripts/helm-render.ts';
import { TemplateError, TemplateSet, toYaml } from '../../scripts/helm-template.ts';

function run(source: string, data: unknown = {}, defines: Record<string, string> = {}): string {
  const set = new TemplateSet();
  for (const [name, text] of Object.entries(defines)) set.add(name, text);
  set.add('test', source);
  return set.execute('test', data);
}

describe('Go template semantics', () => {
  it('trims whitespace at {{- and -}}, and drops comments', () => {
    expect(run('a  \n {{- "b" -}} \n\t c')).toBe('abc');
    expect(run('a {{ "b" }} c')).toBe('a b c');
    expect(run('x\n{{- /* a comment */ -}}\ny')).toBe('xy');
    expect(run('x {{/* kept spaces */}} y')).toBe('x  y');
    expect(run('{{ 3 -}}  4')).toBe('34');
    expect(run('{{ -3 }}')).toBe('-3'); // a negative number, not a trim marker
  });

  it('reads fields, the root $, and missing or nil values as Helm does', () => {
    const data = { Values: { a: { b: 'deep' }, n: null } };
    expect(run('{{ .Values.a.b }}', data)).toBe('deep');
    expect(run('{{ with .Values.a }}{{ .b }}/{{ $.Values.a.b }}{{ end }}', data)).toBe('deep/deep');
    expect(run('[{{ .Values.n }}]', data)).toBe('[]'); // Go's <no value>, removed by Helm
    expect(() => run('{{ .Values.missing }}', data)).toThrow(/map has no entry for key "missing"/);
    expect(() => run('{{ .Values.n.x }}', data)).toThrow(/nil pointer evaluating .Values.n.x/);
    expect(() => run('{{ .Values.a.b.c }}', data)).toThrow(/can't evaluate field c/);
  });

  it('ranges over lists with their index and over maps in sorted key order', () => {
    expect(run('{{ range $i, $v := .l }}{{ $i }}={{ $v }} {{ end }}', { l: ['a', 'b'] })).toBe('0=a 1=b ');
    expect(run('{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}', { m: { b: 2, a: 1, C: 3 } })).toBe(
      'C=3;a=1;b=2;',
    );
    expect(run('{{ range .l }}[{{ . }}]{{ else }}none{{ end }}', { l: [] })).toBe('none');
    expect(run('{{ range .m }}{{ . }}{{ end }}', { m: { y: 'Y', x: 'X' } })).toBe('XY');
  });

  it('has if / else if / else and with / else', () => {
    const t = '{{ if eq .x "a" }}A{{ else if eq .x "b" }}B{{ else }}C{{ end }}';
    expect([run(t, { x: 'a' }), run(t, { x: 'b' }), run(t, { x: 'z' })]).toEqual(['A', 'B', 'C']);
    expect(run('{{ with .x }}{{ . }}{{ else }}empty{{ end }}', { x: '' })).toBe('empty');
    // Go's truth: 0, "", false, nil and empty collections are false.
    for (const falsy of [0, '', false, null, [], {}])
      expect(run('{{ if .x }}t{{ else }}f{{ end }}', { x: falsy })).toBe('f');
  });

  it('scopes variables to their block and lets = change an outer one', () => {
    expect(run('{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ $y := "c" }}{{ end }}{{ $x }}')).toBe('b');
    expect(() => run('{{ if true }}{{ $y := "c" }}{{ end }}{{ $y }}')).toThrow(/undefined variable \$y/);
  });

  it('pipes a value in as the last argument, and and/or return the deciding argument lazily', () => {
    expect(run('{{ "x" | printf "%s-%s" "a" }}')).toBe('a-x');
    expect(run('{{ or .a "fallback" }}', { a: '' })).toBe('fallback');
    expect(run('{{ and "x" "y" }}')).toBe('y');
    expect(run('{{ and false (fail "never evaluated") }}')).toBe('false');
  });

  it('includes defined templates, with nindent and indent', () => {
    const helpers = { helpers: '{{- define "labels" -}}\na: {{ .a }}\nb: x\n{{- end -}}' };
    expect(run('m:\n  {{- include "labels" . | nindent 2 }}', { a: '1' }, helpers)).toBe(
      'm:\n  a: 1\n  b: x',
    );
    expect(run('{{ include "labels" . | indent 4 }}', { a: '1' }, helpers)).toBe('    a: 1\n    b: x');
    expect(run('{{ template "labels" .v }}', { v: { a: 'T' } }, helpers)).toBe('a: T\nb: x');
  });

  it('prints float64 as Go does, and compares int only with int', () => {
    // Numbers from values files are float64 (Helm reads YAML through JSON).
    expect(run('{{ .a }} {{ .b }} {{ .c }} {{ .d }}', { a: 100000, b: 1000000, c: 1.5, d: 0.00001 })).toBe(
      '100000 1e+06 1.5 1e-05',
    );
    expect(() => run('{{ eq .n 1 }}', { n: 1 })).toThrow(
      /incompatible types for comparison \(float64 and int\)/,
    );
    expect(run('{{ eq (int .n) 1 }} {{ lt .a .b }}', { n: 1, a: 1, b: 2 })).toBe('true true');
    expect(() => run('{{ printf "%s" .n }}', { n: 1 })).toThrow(/expected a string, got float64/);
    expect(run('{{ printf "%d-%v-%s" 3 .n "s" }}', { n: 2 })).toBe('3-2-s');
    expect(() => run('{{ trunc .n "abc" }}', { n: 2 })).toThrow(/trunc: expected int, got float64/);
  });

  it('has the Sprig functions the chart uses', () => {
    expect(run('{{ default "d" "" }} {{ default "d" false }} {{ default "d" "set" }}')).toBe('d d set');
    expect(run('{{ "a\\"b" | quote }} {{ 8080.0 | quote }}')).toBe('"a\\"b" "8080"');
    expect(run('{{ "release-name-that-is-long" | trunc 13 | trimSuffix "-" }}')).toBe('release-name');
    expect(run('{{ "hi" | b64enc }} {{ upper "ab" }} {{ replace "+" "_" "1+2" }}')).toBe('aGk= AB 1_2');
    expect(
      run('{{ contains "park" "easypark" }} {{ hasKey .m "a" }} {{ kindIs "float64" .m.a }}', {
        m: { a: 1 },
      }),
    ).toBe('true true true');
    expect(run('{{ ternary "y" "n" true }} {{ len (list 1 2) }} {{ (dict "k" "v").k }}')).toBe('y 2 v');
    expect(run('{{ "x" | sha256sum }}')).toBe(
      '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881',
    );
    expect(() => run('{{ required "give x" .x }}', { x: '' })).toThrow(/give x/);
    expect(() => run('{{ fail "stop" }}')).toThrow(/stop/);
  });

  it('writes YAML as sigs.k8s.io/yaml does: sorted keys, quoted ambiguous strings, no final newline', () => {
    expect(toYaml({ b: ['x', 'on'], a: { d: '8080', c: 1 } })).toBe(
      'a:\n  c: 1\n  d: "8080"\nb:\n- x\n- "on"',
    );
    expect(toYaml({})).toBe('{}');
    expect(run('{{ toYaml .v }}', { v: null })).toBe('null');
  });

  it('refuses what it does not implement, and malformed templates', () => {
    const refusals: Array<[string, RegExp]> = [
      ['{{ tpl "x" . }}', /function "tpl" not defined/],
      ['{{ lookup "v1" "Secret" "ns" "name" }}', /function "lookup" not defined/],
      ['{{ block "x" . }}{{ end }}', /block \}\} is not supported/],
      ['{{ range .l }}{{ break }}{{ end }}', /break \}\} is not supported/],
      ["{{ 'a' }}", /character constants are not supported/],
      ['{{ .x ', /unclosed action/],
      ['{{ if true }}x', /if has no end/],
      ['x{{ end }}', /unexpected \{\{ end \}\}/],
      ['{{ .x | .y }}', /can't give arguments to a non-function/],
      ['{{ .m }}', /printing a map directly/],
      ['{{ printf "%5s" "x" }}', /flags and widths/],
    ];
    for (const [source, message] of refusals) {
      expect(() => run(source, { x: 1, y: 2, l: [1], m: { a: 1 } }), source).toThrow(TemplateError);
      expect(() => run(source, { x: 1, y: 2, l: [1], m: { a: 1 } }), source).toThrow(message);
    }
  });

  it('says where a failure is, through includes', () => {
    expect(() =>
      run('line one\n{{ include "inner" . }}', {}, { inner: '{{ define "inner" }}\n\n{{ .nope }}{{ end }}' }),
    ).toThrow(/test:2: .*map has no entry for key "nope"/);
  });
});

describe('values as Helm reads them', () => {
  it('is YAML 1.1: on, off, yes and no are booleans', () => {
    expect(readYaml('a: off\nb: "off"\nc: yes\nd: 1.0\ne: 010', 'v')).toEqual({
      a: false,
      b: 'off',
      c: true,
      d: 1,
      e: 8,
    });
  });

  it('merges maps, replaces lists and deletes keys set to null', () => {
    expect(mergeValues({ a: { b: 1, c: 2 }, l: [1, 2], k: 'x' }, { a: { c: 3 }, l: [9], k: null })).toEqual({
      a: { b: 1, c: 3 },
      l: [9],
    });
  });

  it('takes --set a.b=value with typed scalars, and refuses the forms it does not parse', () => {
    expect(parseSet('services.parking.replicas=4')).toEqual({ services: { parking: { replicas: 4 } } });
    expect(parseSet('ingress.enabled=true')).toEqual({ ingress: { enabled: true } });
    expect(parseSet('image.tag=1.2.3')).toEqual({ image: { tag: '1.2.3' } });
    expect(() => parseSet('ingress.hosts={a,b}')).toThrow(/not supported/);
  });
});
