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

/** Ints per slot in Generation.slots: the key's hash, where its bytes start, their length (0: empty), the rule. */
const SLOT = 4;

class Generation {
  /**
   * The slots, interleaved: a probe reads one cache line, and compares the key's bytes only when the whole hash
   * matches. The main thread probes twice per alert at random places in a few MB: with the four fields in separate
   * arrays, most of its time went in cache misses.
   */
  private readonly slots: Int32Array;
  private bytes: Uint8Array;
  private used = 0;
  size = 0;
  private readonly mask: number;

  constructor(capacity: number, window: number) {
    this.slots = new Int32Array(capacity * SLOT);
    this.bytes = new Uint8Array(window * ID_BYTES);
    this.mask = capacity - 1;
  }

  /** Whether (rule, id bytes src[s, e)) is here; when not and `insert`, it is added. `e > s`. */
  probe(hash: number, rule: number, src: Uint8Array, s: number, e: number, insert: boolean): boolean {
    const n = e - s;
    const slots = this.slots;
    const h = hash | 0;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * SLOT;
      const len = slots[at + 2]!;
      if (len === 0) {
        if (insert) this.put(at, h, rule, src, s, n);
        return false;
      }
      if (slots[at] === h && len === n && slots[at + 3] === rule) {
        const from = slots[at + 1]!;
        const b = this.bytes;
        let k = 0;
        while (k < n && b[from + k] === src[s + k]) k++;
        if (k === n) return true;
      }
    }
  }

  clear(): void {
    this.slots.fill(0);
    this.used = 0;
    this.size = 0;
  }

  private put(at: number, h: number, rule: number, src: Uint8Array, s: number, n: number): void {
    if (this.used + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    const b = this.bytes;
    for (let k = 0, to = this.used; k < n; k++) b[to + k] = src[s + k]!; // an eventID is short: no subarray view
    const slots = this.slots;
    slots[at] = h;
    slots[at + 1] = this.used;
    slots[at + 2] = n;
    slots[at + 3] = rule;
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
   * window. An empty eventID is never a duplicate (a record without one cannot be told from another). `h` is
   * dedupHash of the same key: workers compute it with the alert (alert-batch.ts), off the main thread.
   */
  firstBytes(rule: number, src: Uint8Array, s: number, e: number, h = dedupHash(src, s, e, rule)): boolean {
    if (e <= s) return true;
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

/** FNV-1a over an eventID's bytes, mixed with the rule number: the key's hash in AlertDedup. */
export function dedupHash(b: Uint8Array, s: number, e: number, rule: number): number {
  let h = 0x811c9dc5 ^ rule;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
