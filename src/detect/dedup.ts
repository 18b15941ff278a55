/**
 * One alert per rule and eventID. CloudTrail may deliver an event twice and inputs may overlap; such duplicates lie
 * close together in input order (same account, region and hour), so only a window of recent alerts is remembered:
 * two generations of at most `window` keys each, the older dropped when the newer fills. Memory stays bounded
 * (a few MB at the default) however many alerts a hunt raises; a duplicate farther back than the window is kept.
 *
 * Each generation is an open-addressing table (eventID strings and rule numbers in flat arrays, probed by a hash of
 * the eventID): a JS Set of strings cost about 1 µs per alert on the main thread, which every alert passes through.
 */
export const DEDUP_WINDOW = 1 << 17;

class Generation {
  readonly ids: (string | undefined)[];
  readonly rules: Int32Array;
  size = 0;
  private readonly mask: number;

  constructor(capacity: number) {
    this.ids = new Array<string | undefined>(capacity).fill(undefined);
    this.rules = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Whether (rule, id) is here; when not and `insert`, it is added. */
  probe(hash: number, rule: number, id: string, insert: boolean): boolean {
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const at = this.ids[i];
      if (at === undefined) {
        if (insert) {
          this.ids[i] = id;
          this.rules[i] = rule;
          this.size++;
        }
        return false;
      }
      if (this.rules[i] === rule && at === id) return true;
    }
  }
}

export class AlertDedup {
  private current: Generation;
  private previous: Generation;

  constructor(private readonly window = DEDUP_WINDOW) {
    // At most `window` keys per generation in a table twice as large: probes stay short.
    let capacity = 1;
    while (capacity < window * 2) capacity *= 2;
    this.current = new Generation(capacity);
    this.previous = new Generation(capacity);
  }

  /** True the first time this rule (its number in the hunt) and eventID are seen within the window. */
  first(rule: number, eventId: string): boolean {
    const h = hash(eventId, rule);
    if (this.previous.probe(h, rule, eventId, false)) return false;
    if (this.current.probe(h, rule, eventId, true)) return false;
    if (this.current.size >= this.window) {
      const emptied = this.previous;
      this.previous = this.current;
      emptied.ids.fill(undefined);
      emptied.size = 0;
      this.current = emptied;
    }
    return true;
  }
}

/** FNV-1a over the UTF-16 code units, mixed with the rule number. */
function hash(s: string, rule: number): number {
  let h = 0x811c9dc5 ^ rule;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
