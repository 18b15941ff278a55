/**
 * One alert per rule and eventID. CloudTrail may deliver an event twice and inputs may overlap; such duplicates lie
 * close together in input order (same account, region and hour), so only a window of recent alerts is remembered:
 * two generations of at most `window` keys each, the older dropped when the newer fills. Memory stays bounded
 * (a few MB at the default) however many alerts a hunt raises; a duplicate farther back than the window is kept.
 *
 * Each generation is an open-addressing table whose keys are the eventID's bytes, copied into one flat buffer, and
 * the rule number: no object per alert. Every alert passes through here on the main thread; a JS Set of strings cost
 * about 1 µs per alert, and holding a quarter million eventID strings made the main thread's garbage collector
 * compete with the workers for the cores.
 */
export const DEDUP_WINDOW = 1 << 17;

const ID_BYTES = 48; // room per key in the flat buffer at first (a CloudTrail eventID is a 36-character UUID)

class Generation {
  /** Per slot: where the key's bytes are in `bytes` (length 0: the slot is empty), and the rule. */
  private readonly start: Int32Array;
  private readonly length: Int32Array;
  private readonly rules: Int32Array;
  private bytes: Uint8Array;
  private used = 0;
  size = 0;
  private readonly mask: number;

  constructor(capacity: number, window: number) {
    this.start = new Int32Array(capacity);
    this.length = new Int32Array(capacity);
    this.rules = new Int32Array(capacity);
    this.bytes = new Uint8Array(window * ID_BYTES);
    this.mask = capacity - 1;
  }

  /** Whether (rule, id bytes src[s, e)) is here; when not and `insert`, it is added. `e > s`. */
  probe(hash: number, rule: number, src: Uint8Array, s: number, e: number, insert: boolean): boolean {
    const n = e - s;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const len = this.length[i]!;
      if (len === 0) {
        if (insert) this.put(i, rule, src, s, n);
        return false;
      }
      if (len === n && this.rules[i] === rule) {
        const at = this.start[i]!;
        const b = this.bytes;
        let k = 0;
        while (k < n && b[at + k] === src[s + k]) k++;
        if (k === n) return true;
      }
    }
  }

  clear(): void {
    this.length.fill(0);
    this.used = 0;
    this.size = 0;
  }

  private put(i: number, rule: number, src: Uint8Array, s: number, n: number): void {
    if (this.used + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(src.subarray(s, s + n), this.used);
    this.start[i] = this.used;
    this.length[i] = n;
    this.rules[i] = rule;
    this.used += n;
    this.size++;
  }
}

export class AlertDedup {
  private current: Generation;
  private previous: Generation;

  constructor(private readonly window = DEDUP_WINDOW) {
    // At most `window` keys per generation in a table twice as large: probes stay short.
    let capacity = 1;
    while (capacity < window * 2) capacity *= 2;
    this.current = new Generation(capacity, window);
    this.previous = new Generation(capacity, window);
  }

  /**
   * True the first time this rule (its number in the hunt) and eventID (its bytes, src[s, e)) are seen within the
   * window. An empty eventID is never a duplicate (a record without one cannot be told from another).
   */
  firstBytes(rule: number, src: Uint8Array, s: number, e: number): boolean {
    if (e <= s) return true;
    const h = hash(src, s, e, rule);
    if (this.previous.probe(h, rule, src, s, e, false)) return false;
    if (this.current.probe(h, rule, src, s, e, true)) return false;
    if (this.current.size >= this.window) {
      const emptied = this.previous;
      this.previous = this.current;
      emptied.clear();
      this.current = emptied;
    }
    return true;
  }

  /** firstBytes for an eventID string (its UTF-8 bytes). */
  first(rule: number, eventId: string): boolean {
    const b = Buffer.from(eventId, 'utf8');
    return this.firstBytes(rule, b, 0, b.length);
  }
}

/** FNV-1a over the bytes, mixed with the rule number. */
function hash(b: Uint8Array, s: number, e: number, rule: number): number {
  let h = 0x811c9dc5 ^ rule;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
