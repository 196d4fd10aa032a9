import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate, nextLink } from '../src/lib/links.ts';
import { createSseParser } from '../src/lib/sse.ts';

describe('the SSE parser', () => {
  it('parses named events, comments and the retry field as the analytics stream sends them', () => {
    const parser = createSseParser();
    const events = parser.push(
      'retry: 3000\n\nevent: occupancy\ndata: {"occupancy_rate":12.5}\n\n: keep-alive\n\nevent: alert\ndata: {"a":1}\n\n',
    );
    expect(events).toEqual([
      { event: 'occupancy', data: '{"occupancy_rate":12.5}' },
      { event: 'alert', data: '{"a":1}' },
    ]);
    expect(parser.retry).toBe(3000);
  });

  it('joins data lines, defaults the type to message, and keeps the last id', () => {
    const parser = createSseParser();
    expect(parser.push('id: 7\ndata: one\ndata:two\ndata\n\ndata: next\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo\n', id: '7' },
      { event: 'message', data: 'next', id: '7' },
    ]);
  });

  it('dispatches nothing for an event without data, and ignores unknown fields and a bad retry', () => {
    const parser = createSseParser();
    expect(parser.push('event: occupancy\n\nfoo: bar\nretry: soon\n\n')).toEqual([]);
    expect(parser.retry).toBeUndefined();
  });

  it('waits for the blank line that ends an event', () => {
    const parser = createSseParser();
    expect(parser.push('event: occupancy\ndata: {"x"')).toEqual([]);
    expect(parser.push(':1}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'occupancy', data: '{"x":1}' }]);
  });

  it('accepts CRLF, CR and LF line ends, even a CRLF split between chunks', () => {
    const parser = createSseParser();
    expect(parser.push('data: a\r\n\r\ndata: b\r\rdata: c\r')).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
    expect(parser.push('\n\r\n')).toEqual([{ event: 'message', data: 'c' }]);
  });

  it('gives the same events however the stream is cut into chunks', () => {
    const stream =
      'retry: 3000\r\n\r\nevent: occupancy\r\ndata: {"rate":1}\r\n\r\n: ping\n\nevent: alert\ndata: x\ndata: y\n\nid: 3\rdata: z\r\r';
    const whole = createSseParser().push(stream);
    expect(whole).toHaveLength(3);
    fc.assert(
      fc.property(fc.array(fc.nat(stream.length), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const parser = createSseParser();
        const events = [];
        let from = 0;
        for (const at of [...points, stream.length]) {
          events.push(...parser.push(stream.slice(from, at)));
          from = at;
        }
        expect(events).toEqual(whole);
        expect(parser.retry).toBe(3000);
      }),
    );
  });
});

describe('list and date helpers', () => {
  it('finds the next page in a Link header', () => {
    expect(nextLink('</api/v1/facilities?cursor=abc&limit=2>; rel="next"')).toBe(
      '/api/v1/facilities?cursor=abc&limit=2',
    );
    expect(nextLink('</a?p=1>; rel="prev", </a?p=3>; rel="next"')).toBe('/a?p=3');
    expect(nextLink('</a?p=1>; rel="prev"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });

  it('gives the local day of a time zone', () => {
    const at = new Date('2026-03-01T02:30:00Z');
    expect(localDate('Europe/London', at)).toBe('2026-03-01');
    expect(localDate('America/New_York', at)).toBe('2026-02-28');
  });
});
