/**
 * Seeded randomness for the simulator (ported from scripts/build-sample-trail.mjs): FNV-1a turns a label into a
 * 32-bit seed, mulberry32 makes the stream. One stream per purpose (`<seed>:attack`, `<seed>:noise`...), so the
 * same seed always gives the same choices and changing one part does not reshuffle the others.
 */

export function fnv1a(str: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The alphabet AWS uses for access key and principal ids. */
export const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export const HEX = '0123456789abcdef';

export class Rng {
  private readonly f: () => number;
  constructor(seed: string, label: string) {
    this.f = mulberry32(fnv1a(`${seed}:${label}`));
  }
  float(): number {
    return this.f();
  }
  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.f() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.f() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.f() * a.length)] as T;
  }
  /** [[weight, value], ...] */
  weighted<T>(pairs: readonly (readonly [number, T])[]): T {
    let x = this.f() * pairs.reduce((s, p) => s + p[0], 0);
    for (const [w, v] of pairs) if ((x -= w) < 0) return v;
    return pairs[pairs.length - 1]![1];
  }
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.f() * alphabet.length)];
    return s;
  }
  hex(n: number): string {
    return this.chars(n, HEX);
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`;
  }
}

/** A stable identifier derived from a name (role ids, user ids), independent of generation order. */
export const stable = (key: string, n: number, alphabet = UPPER_ALNUM): string => new Rng('tideline-simulate', `id:${key}`).chars(n, alphabet);
export const stableUuid = (key: string): string => new Rng('tideline-simulate', `uuid:${key}`).uuid();
