/**
 * One alert per rule and eventID. CloudTrail may deliver an event twice and inputs may overlap; such duplicates lie
 * close together in input order (same account, region and hour), so only a window of recent alerts is remembered:
 * two generations of at most `window` keys each, the older dropped when the newer fills. Memory stays bounded
 * (some 25 MB at the default) however many alerts a hunt raises; a duplicate farther back than the window is kept.
 */
export const DEDUP_WINDOW = 1 << 17;

export class AlertDedup {
  // Per rule, a Set of eventIDs: the eventID strings are hashed as they are, no key string is built per alert.
  private current = new Map<number | string, Set<string>>();
  private previous = new Map<number | string, Set<string>>();
  private size = 0;

  constructor(private readonly window = DEDUP_WINDOW) {}

  /** True the first time this rule (any stable number or id) and eventID are seen within the window. */
  first(rule: number | string, eventId: string): boolean {
    let ids = this.current.get(rule);
    if (ids?.has(eventId) || this.previous.get(rule)?.has(eventId)) return false;
    if (!ids) this.current.set(rule, (ids = new Set()));
    ids.add(eventId);
    if (++this.size >= this.window) {
      this.previous = this.current;
      this.current = new Map();
      this.size = 0;
    }
    return true;
  }
}
