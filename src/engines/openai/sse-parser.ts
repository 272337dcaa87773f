/** One server-sent event: its `event` type ("message" when none was given) and its data. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * An incremental Server-Sent Events parser (the WHATWG event-stream format): feed it text as it
 * arrives, in pieces of any size; it returns the events completed so far. `data:` lines are joined
 * with "\n", `event:` sets the type, comments (`:`) and `id:`/`retry:` are ignored. llama.cpp's
 * server writes errors as a bare `error: {...}` line; that becomes an event of type "error".
 */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  /** A "\r" ended the last piece: a "\n" starting the next one belongs to it. */
  private pendingCr = false;

  /** Parses another piece of the stream. */
  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    const skip = this.pendingCr && text.startsWith("\n") ? 1 : 0;
    this.pendingCr = false;
    const input = this.buffer + text.slice(skip);
    let start = 0;
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      this.line(input.slice(start, i), events);
      if (c === 0x0d) {
        if (i + 1 === input.length) this.pendingCr = true;
        else if (input.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    this.buffer = input.slice(start);
    return events;
  }

  /** The end of the stream: a last event without its blank line is dispatched (as browsers do not). */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.buffer !== "") this.line(this.buffer, events);
    this.buffer = "";
    this.line("", events);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === "") {
      if (this.data.length > 0) {
        events.push({ event: this.event || "message", data: this.data.join("\n") });
      }
      this.data = [];
      this.event = "";
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "error") {
      this.event = "error";
      this.data.push(value);
    }
  }
}
