/**
 * Login throttling: failures are counted per (client address, username) and per client address over a sliding
 * window; past the limit, attempts are refused with 429 and a Retry-After until the window passes. In memory: a
 * restart forgets, which is acceptable for a single-node server (the scale-out plan moves this to the shared store).
 */
export interface ThrottleOptions {
  window: number; // ms
  perUser: number;
  perAddress: number;
}

export class LoginThrottle {
  private readonly fails = new Map<string, number[]>();
  constructor(private readonly o: ThrottleOptions = { window: 15 * 60_000, perUser: 5, perAddress: 30 }) {}

  private recent(key: string, now: number): number[] {
    const list = (this.fails.get(key) ?? []).filter((t) => now - t < this.o.window);
    if (list.length) this.fails.set(key, list);
    else this.fails.delete(key);
    return list;
  }

  /** Seconds to wait before another attempt is allowed, or 0. */
  retryAfter(address: string, username: string, now = Date.now()): number {
    const user = this.recent(`u:${address}:${username.toLowerCase()}`, now);
    const addr = this.recent(`a:${address}`, now);
    const blocked = [user.length >= this.o.perUser ? user : null, addr.length >= this.o.perAddress ? addr : null].filter((l): l is number[] => l !== null);
    if (!blocked.length) return 0;
    return Math.max(...blocked.map((l) => Math.ceil((l[0]! + this.o.window - now) / 1000)));
  }

  failed(address: string, username: string, now = Date.now()): void {
    for (const k of [`u:${address}:${username.toLowerCase()}`, `a:${address}`]) this.fails.set(k, [...this.recent(k, now), now]);
    if (this.fails.size > 100_000) this.fails.clear(); // bound memory under a spray of addresses
  }

  succeeded(address: string, username: string): void {
    this.fails.delete(`u:${address}:${username.toLowerCase()}`);
  }
}
