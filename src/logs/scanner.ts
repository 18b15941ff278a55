/**
 * Streaming splitter for JSON log files. It finds record boundaries in raw bytes without parsing, so memory stays
 * bounded by one record whatever the file size, and so callers can decide per record whether to parse it at all.
 *
 * It yields, as byte slices:
 * - each element of a top-level object's `Records` array (CloudTrail delivery files) or `Events` array
 *   (`aws cloudtrail lookup-events` output), without materialising the rest of the object;
 * - each element of a top-level array;
 * - any other top-level value whole (a single record, an EventBridge envelope, or unknown JSON).
 * NDJSON is split by lines instead (see reader.ts), because one broken line must not swallow the next.
 *
 * Fast paths: inside strings it jumps to the next quote with Buffer.indexOf (memchr) instead of visiting each byte;
 * a Records element that lies whole in the current buffer is scanned in one recursive-descent call (elementEnd, 1.8x
 * the state machine's speed on CloudTrail); the state machine takes the rest (elements across chunk boundaries,
 * damage, deep nesting) and everything outside Records elements.
 *
 * It also follows the JSON grammar between tokens (a key, then a colon, then a value, then a comma or the close) and
 * checks number/true/false/null tokens, so a `Records` element it hands on with `Members.ok` is valid JSON apart from
 * the contents of its strings, which JSON.parse checks when a member is read. Damage does not stop the split: the
 * element is handed on with `ok` false, and the reader parses it whole, which reports the error.
 */
export type SliceKind = 'Records' | 'Events' | 'array' | 'top';
export type OnSlice = (buf: Buffer, start: number, end: number, kind: SliceKind, members?: Members) => void;

/**
 * Where each top-level member of a `Records` element lies, found during the split at almost no cost, so a record can
 * be read member by member instead of parsed whole (see logs/projected.ts). Offsets are relative to the element's
 * start. `ok` is false when a key holds an escape (the bytes would not spell the key): such records are parsed whole.
 * The object is reused for the next element: read it during the callback only.
 */
export interface Members {
  count: number;
  keyStart: number[];
  keyEnd: number[];
  valueStart: number[];
  valueEnd: number[];
  ok: boolean;
}

const MAX_VALUE = 256 * 1024 * 1024; // a single value larger than this is not a CloudTrail record

// What the grammar allows next.
const G_VALUE = 0;
const G_KEY = 1;
const G_COLON = 2;
const G_NEXT = 3; // a comma or the end of the container

export class JsonSplitter {
  private carry: Buffer | null = null;
  private stack: number[] = []; // 0x7b for objects, 0x5b for arrays
  private inString = false;
  private strStart = -1;
  private gram = G_VALUE;
  /** The current container has just opened (so it may close empty). */
  private opened = false;
  /** The string being scanned is an object key. */
  private strKey = false;
  private lastKey = '';
  private topStart = -1; // start of the current top-level value while it may need emitting whole
  private elemStart = -1; // start of the current element being captured
  private elemDepth = -1; // depth at which elements are captured (1: top array, 2: Records/Events)
  private streamKind: SliceKind | null = null;
  private scalarStart = -1;
  /** Bytes consumed before the current buffer, for error offsets. */
  offset = 0;
  topValues = 0;
  // Members of the current Records element (depth 3), relative to elemStart; see Members.
  private readonly members: Members = { count: 0, keyStart: [], keyEnd: [], valueStart: [], valueEnd: [], ok: true };
  private memberValue = -1;

  constructor(private readonly onSlice: OnSlice) {}

  get depth(): number {
    return this.stack.length;
  }

  push(chunk: Buffer): void {
    let buf: Buffer;
    if (this.carry && this.carry.length) buf = Buffer.concat([this.carry, chunk]);
    else buf = chunk;
    const startAt = this.carry ? this.carry.length : 0;
    this.carry = null;
    this.scan(buf, startAt);
  }

  /** Call at end of input; throws a SyntaxError describing a truncated value. */
  end(): void {
    if (this.scalarStart >= 0 && this.carry) {
      const buf = this.carry;
      this.endScalar(buf, buf.length);
    }
    if (this.inString || this.stack.length > 0) {
      throw new SyntaxError(`truncated JSON: input ends inside ${this.inString ? 'a string' : this.stack[this.stack.length - 1] === 0x7b ? 'an object' : 'an array'} (depth ${this.stack.length})`);
    }
  }

  private scan(buf: Buffer, from: number): void {
    const n = buf.length;
    const stack = this.stack;
    let i = from;
    while (i < n) {
      if (this.inString) {
        const past = stringEnd(buf, i, n);
        if (past < 0) {
          i = n;
          break;
        }
        const q = past - 1; // the closing quote
        this.inString = false;
        this.opened = false;
        if (this.strKey) {
          this.gram = G_COLON;
          if (stack.length === 3 && this.streamKind === 'Records') this.memberKey(buf, this.strStart + 1, q);
          else if (stack.length === 1 && this.streamKind === null) this.lastKey = buf.toString('latin1', this.strStart + 1, q);
        } else this.gram = stack.length === 0 ? G_VALUE : G_NEXT;
        if (stack.length === 0) this.endTop(buf, q + 1);
        else if (stack.length === this.elemDepth && this.elemStart === this.strStart) this.emitElement(buf, q + 1);
        i = q + 1;
        continue;
      }
      const c = buf[i]!;
      // Fast path: a whole Records element in this buffer is scanned by elementEnd (below) in one call.
      if (c === 0x7b && stack.length === 2 && this.streamKind === 'Records' && this.gram === G_VALUE && this.elemStart < 0) {
        const end = elementEnd(buf, i, n, this.members);
        if (end > 0) {
          this.onSlice(buf, i, end, 'Records', this.members);
          this.gram = G_NEXT;
          this.opened = false;
          i = end;
          continue;
        }
      }
      switch (c) {
        case 0x22: // "
          if (this.gram === G_KEY) this.strKey = true;
          else {
            if (this.gram !== G_VALUE) this.members.ok = false;
            this.strKey = false;
            if (stack.length <= 2) this.startValueIfNeeded(buf, i); // values are captured at depth 0..2 only
          }
          this.inString = true;
          this.strStart = i;
          break;
        case 0x7b: // {
        case 0x5b: // [
          if (this.gram !== G_VALUE) this.members.ok = false;
          if (stack.length <= 2) this.startValueIfNeeded(buf, i);
          if (stack.length === 1 && c === 0x5b && this.streamKind === null && stack[0] === 0x7b && (this.lastKey === 'Records' || this.lastKey === 'Events')) {
            this.streamKind = this.lastKey;
            this.elemDepth = 2;
            this.topStart = -1; // the wrapper object is not emitted whole any more
          }
          stack.push(c);
          this.gram = c === 0x7b ? G_KEY : G_VALUE;
          this.opened = true;
          break;
        case 0x7d: // }
        case 0x5d: // ]
          if (this.scalarStart >= 0) this.endScalar(buf, i);
          if (this.memberValue >= 0 && stack.length === 3) this.memberEnd(i);
          if (stack.length === 0 || stack[stack.length - 1] !== (c === 0x7d ? 0x7b : 0x5b)) {
            throw new SyntaxError(`unexpected '${String.fromCharCode(c)}' at byte ${this.offset + i}`);
          }
          if (this.gram !== G_NEXT && !(this.opened && this.gram === (c === 0x7d ? G_KEY : G_VALUE))) this.members.ok = false;
          stack.pop();
          this.gram = stack.length === 0 ? G_VALUE : G_NEXT;
          this.opened = false;
          if (stack.length === this.elemDepth && this.elemStart >= 0) this.emitElement(buf, i + 1);
          else if (stack.length === 1 && this.elemDepth === 2) {
            // The Records/Events array closed: later keys of the wrapper (NextToken...) are not records.
            this.elemDepth = -1;
            this.streamKind = null;
          }
          if (stack.length === 0) this.endTop(buf, i + 1);
          break;
        case 0x2c: // ,
          if (this.scalarStart >= 0) this.endScalar(buf, i);
          if (this.memberValue >= 0 && stack.length === 3) this.memberEnd(i);
          if (this.gram !== G_NEXT || stack.length === 0) this.members.ok = false;
          this.gram = stack[stack.length - 1] === 0x7b ? G_KEY : G_VALUE;
          this.opened = false;
          break;
        case 0x3a: // :
          if (this.gram !== G_COLON) this.members.ok = false;
          this.gram = G_VALUE;
          if (stack.length === 3 && this.streamKind === 'Records' && this.elemStart >= 0) this.memberValue = i + 1 - this.elemStart;
          break;
        case 0x20:
        case 0x0a:
        case 0x0d:
        case 0x09:
          if (this.scalarStart >= 0) this.endScalar(buf, i);
          break;
        default:
          if (this.scalarStart < 0) {
            if (this.gram !== G_VALUE) this.members.ok = false;
            if (stack.length <= 2) this.startValueIfNeeded(buf, i);
            this.scalarStart = i;
          }
      }
      i++;
    }
    // Keep the bytes of any value still open for the next chunk.
    let keep = n;
    for (const s of [this.topStart, this.elemStart, this.inString ? this.strStart : -1, this.scalarStart]) if (s >= 0 && s < keep) keep = s;
    if (n - keep > MAX_VALUE) {
      throw new SyntaxError(`a single JSON value is larger than ${MAX_VALUE >> 20} MB at byte ${this.offset + keep}: not a CloudTrail record`);
    }
    this.carry = keep < n ? buf.subarray(keep) : null;
    const shift = keep;
    if (this.topStart >= 0) this.topStart -= shift;
    if (this.elemStart >= 0) this.elemStart -= shift;
    if (this.strStart >= 0) this.strStart -= shift;
    if (this.scalarStart >= 0) this.scalarStart -= shift;
    this.offset += shift;
    if (this.carry) this.carry = Buffer.from(this.carry); // detach from the (possibly large) chunk
  }

  private startValueIfNeeded(_buf: Buffer, i: number): void {
    const d = this.stack.length;
    if (d === 0) {
      if (this.topStart < 0) this.topStart = i;
      this.elemDepth = -1;
      this.streamKind = null;
      this.lastKey = '';
      return;
    }
    if (d === 1 && this.stack[0] === 0x5b && this.elemDepth !== 1 && this.streamKind === null) {
      // A top-level array: stream its elements.
      this.elemDepth = 1;
      this.streamKind = 'array';
      this.topStart = -1;
    }
    if (d === this.elemDepth && this.elemStart < 0) {
      this.elemStart = i;
      this.members.count = 0; // a new element: grammar damage between elements is not its own
      this.members.ok = true;
    }
  }

  private endScalar(buf: Buffer, end: number): void {
    const start = this.scalarStart;
    this.scalarStart = -1;
    const d = this.stack.length;
    if (!validScalar(buf, start, end)) this.members.ok = false;
    this.gram = d === 0 ? G_VALUE : G_NEXT;
    this.opened = false;
    if (d === 0) this.endTop(buf, end);
    else if (d === this.elemDepth && this.elemStart === start) this.emitElement(buf, end);
  }

  private emitElement(buf: Buffer, end: number): void {
    const start = this.elemStart;
    if (start < 0) return;
    this.elemStart = -1;
    const m = this.members;
    this.onSlice(buf, start, end, this.streamKind ?? 'array', this.streamKind === 'Records' && buf[start] === 0x7b ? m : undefined);
    this.memberValue = -1;
  }

  private memberKey(buf: Buffer, from: number, to: number): void {
    const m = this.members;
    for (let k = from; k < to; k++) if (buf[k] === 0x5c) m.ok = false;
    m.keyStart[m.count] = from - this.elemStart;
    m.keyEnd[m.count] = to - this.elemStart;
  }

  private memberEnd(at: number): void {
    const m = this.members;
    m.valueStart[m.count] = this.memberValue;
    m.valueEnd[m.count] = at - this.elemStart;
    m.count++;
    this.memberValue = -1;
  }

  private endTop(buf: Buffer, end: number): void {
    this.topValues++;
    if (this.topStart >= 0) this.onSlice(buf, this.topStart, end, 'top');
    this.topStart = -1;
    this.elemDepth = -1;
    this.streamKind = null;
    this.lastKey = '';
  }
}

/** A JSON number, true, false or null, exactly (the bytes between structural characters or whitespace). */
function validScalar(buf: Buffer, s: number, e: number): boolean {
  const c = buf[s];
  if (c === 0x74) return e - s === 4 && buf[s + 1] === 0x72 && buf[s + 2] === 0x75 && buf[s + 3] === 0x65; // true
  if (c === 0x66) return e - s === 5 && buf[s + 1] === 0x61 && buf[s + 2] === 0x6c && buf[s + 3] === 0x73 && buf[s + 4] === 0x65; // false
  if (c === 0x6e) return e - s === 4 && buf[s + 1] === 0x75 && buf[s + 2] === 0x6c && buf[s + 3] === 0x6c; // null
  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  let i = s;
  if (buf[i] === 0x2d) i++;
  if (buf[i] === 0x30) i++;
  else if ((i = digitsEnd(buf, i, e)) === -1) return false;
  if (buf[i] === 0x2e && (i = digitsEnd(buf, i + 1, e)) === -1) return false;
  if (buf[i] === 0x65 || buf[i] === 0x45) {
    i++;
    if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
    if ((i = digitsEnd(buf, i, e)) === -1) return false;
  }
  return i === e;
}

/** The end of the digits at `i` (before `e`), or -1 when there is none (a plain function: a closure cost an allocation per number). */
function digitsEnd(buf: Buffer, i: number, e: number): number {
  const from = i;
  while (i < e && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++;
  return i === from ? -1 : i;
}

/** elementEnd's verdicts besides an end offset: the value runs past the buffer, or is not plain valid JSON. */
const PAST_END = -1;
const IRREGULAR = -2;
/** Past this nesting depth elementEnd leaves the element to the state machine. */
const MAX_FAST_DEPTH = 64;

/**
 * Fast path of the splitter: the end of the object at `start` (a Records element), with its members noted in `m`,
 * in one recursive-descent pass with everything in local variables. The state machine in JsonSplitter.scan spends
 * most of its time saving and checking its state on every token; this pass has none to keep. It takes only what the
 * state machine would find valid, and otherwise returns PAST_END (the element continues in the next chunk) or
 * IRREGULAR (damage, or nesting past MAX_FAST_DEPTH), and the state machine scans the element from its start as
 * before: the members and verdicts it hands on are the same either way (test/fast-path.test.ts compares them).
 */
function elementEnd(buf: Buffer, start: number, n: number, m: Members): number {
  m.count = 0;
  m.ok = true;
  let i = ws(buf, start + 1, n);
  if (i >= n) return PAST_END;
  if (buf[i] === 0x7d) return i + 1;
  for (;;) {
    if (buf[i] !== 0x22) return i >= n ? PAST_END : IRREGULAR;
    const ks = i + 1;
    i = stringEnd(buf, ks, n);
    if (i < 0) return i;
    const ke = i - 1; // the closing quote
    for (let k = ks; k < ke; k++) if (buf[k] === 0x5c) m.ok = false; // an escaped key: parsed whole (see Members)
    i = ws(buf, i, n);
    if (i >= n) return PAST_END;
    if (buf[i] !== 0x3a) return IRREGULAR;
    const vs = i + 1;
    i = valueEnd(buf, ws(buf, vs, n), n, 1);
    if (i < 0) return i;
    i = ws(buf, i, n);
    if (i >= n) return PAST_END;
    const c = buf[i];
    if (c !== 0x2c && c !== 0x7d) return IRREGULAR;
    const k = m.count++;
    m.keyStart[k] = ks - start;
    m.keyEnd[k] = ke - start;
    m.valueStart[k] = vs - start;
    m.valueEnd[k] = i - start;
    if (c === 0x7d) return i + 1;
    i = ws(buf, i + 1, n);
    if (i >= n) return PAST_END;
  }
}

/**
 * Past the string whose contents start at `i` (after its closing quote), or PAST_END. Quotes are found with memchr
 * (5% faster than a byte loop over CloudTrail's strings); an odd run of backslashes before one escapes it.
 */
function stringEnd(buf: Buffer, i: number, n: number): number {
  for (;;) {
    const q = buf.indexOf(0x22, i);
    if (q < 0 || q >= n) return PAST_END;
    let k = q - 1;
    while (buf[k] === 0x5c) k--;
    if (((q - 1 - k) & 1) === 0) return q + 1;
    i = q + 1;
  }
}

function ws(buf: Buffer, i: number, n: number): number {
  while (i < n) {
    const b = buf[i]!;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) break;
    i++;
  }
  return i;
}

/** Past the value at `i` (no whitespace before it), or PAST_END / IRREGULAR. */
function valueEnd(buf: Buffer, i: number, n: number, depth: number): number {
  if (i >= n) return PAST_END;
  const c = buf[i]!;
  if (c === 0x22) return stringEnd(buf, i + 1, n);
  if (c === 0x7b || c === 0x5b) {
    if (depth >= MAX_FAST_DEPTH) return IRREGULAR;
    const close = c + 2; // } and ]
    i = ws(buf, i + 1, n);
    if (i >= n) return PAST_END;
    if (buf[i] === close) return i + 1;
    for (;;) {
      if (c === 0x7b) {
        if (buf[i] !== 0x22) return IRREGULAR;
        i = stringEnd(buf, i + 1, n);
        if (i < 0) return i;
        i = ws(buf, i, n);
        if (i >= n) return PAST_END;
        if (buf[i] !== 0x3a) return IRREGULAR;
        i = ws(buf, i + 1, n);
      }
      i = valueEnd(buf, i, n, depth + 1);
      if (i < 0) return i;
      i = ws(buf, i, n);
      if (i >= n) return PAST_END;
      const d = buf[i];
      if (d === close) return i + 1;
      if (d !== 0x2c) return IRREGULAR;
      i = ws(buf, i + 1, n);
    }
  }
  // A number, true, false or null: up to whitespace, a comma or a close, as the state machine delimits scalars.
  let e = i;
  while (e < n) {
    const b = buf[e]!;
    if (b === 0x2c || b === 0x7d || b === 0x5d || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) break;
    e++; // anything else, a quote or a colon included, is part of the token, which validScalar then refuses

  }
  if (e >= n) return PAST_END;
  return validScalar(buf, i, e) ? e : IRREGULAR;
}
