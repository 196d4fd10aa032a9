/**
 * A Server-Sent Events parser (the WHATWG "event stream interpretation"), fed text as it arrives.
 * EventSource cannot send an Authorization header, so the app reads the stream with fetch and
 * parses it here.
 */
export interface SseEvent {
  /** `message` unless the stream named it (`event: occupancy`). */
  event: string;
  data: string;
  /** The last event id seen so far on the stream, if any. */
  id?: string;
}

export interface SseParser {
  /** Feeds the next piece of text; answers the events it completed. */
  push(chunk: string): SseEvent[];
  /** The reconnection delay the stream asked for (`retry:`), in ms, if it did. */
  readonly retry: number | undefined;
}

export function createSseParser(): SseParser {
  let buffer = '';
  let eventType = '';
  let data: string[] = [];
  let lastId: string | undefined;
  let retry: number | undefined;
  // A chunk that ended in `\r`: a `\n` at the start of the next one belongs to the same line end.
  let skipLeadingLf = false;

  function line(text: string, out: SseEvent[]) {
    if (text === '') {
      if (data.length > 0) {
        const event: SseEvent = { event: eventType || 'message', data: data.join('\n') };
        if (lastId !== undefined) event.id = lastId;
        out.push(event);
      }
      eventType = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return; // a comment (keep-alive)
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) retry = Number(value);
        break;
      default: // unknown fields are ignored
    }
  }

  return {
    push(chunk: string): SseEvent[] {
      const out: SseEvent[] = [];
      if (chunk === '') return out;
      buffer += skipLeadingLf && chunk.startsWith('\n') ? chunk.slice(1) : chunk;
      skipLeadingLf = false;
      for (;;) {
        const end = buffer.search(/\r\n|\r|\n/);
        if (end === -1) break;
        // A lone `\r` at the very end may be the first half of `\r\n`: take the line, skip a `\n` next.
        const crlf = buffer.startsWith('\r\n', end);
        if (buffer[end] === '\r' && !crlf && end === buffer.length - 1) skipLeadingLf = true;
        line(buffer.slice(0, end), out);
        buffer = buffer.slice(end + (crlf ? 2 : 1));
      }
      return out;
    },
    get retry() {
      return retry;
    },
  };
}
