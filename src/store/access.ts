/**
 * Who may see and do what. Every store query that returns content takes a Viewer and filters by TLP in SQL, so a page,
 * the API, search, feeds, exports and counts cannot disagree about what a person may see.
 */
import type { Tlp } from '../content/model.js';

export const ROLES = ['viewer', 'analyst', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const TLPS: readonly Tlp[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];
export const tlpRank = (tlp: string): number => {
  const i = TLPS.indexOf(tlp as Tlp);
  return i < 0 ? TLPS.length - 1 : i; // an unknown marking is treated as the most restrictive
};

export interface Viewer {
  /** Absent for anonymous visitors. */
  user?: { id: number; username: string };
  role: Role | 'anonymous';
  /** Highest TLP rank this viewer may see. */
  clearance: number;
}

export const ANONYMOUS: Viewer = { role: 'anonymous', clearance: 0 };

const RANK: Record<Viewer['role'], number> = { anonymous: 0, viewer: 1, analyst: 2, editor: 3, admin: 4 };

/** True when the viewer's role is at least `role`. */
export const hasRole = (v: Viewer, role: Role): boolean => RANK[v.role] >= RANK[role];

export const canSee = (v: Viewer, tlp: string): boolean => tlpRank(tlp) <= v.clearance;

/** What each capability needs; pages and API routes ask by capability, not by role name. */
export const can = {
  /** Rule YAML, tests and results, downloads: any account ("detection queries need an account"). */
  readRules: (v: Viewer) => hasRole(v, 'viewer'),
  /** Threat models, objectives, MDRs, the matrix, search beyond advisories. */
  readModels: (v: Viewer) => hasRole(v, 'viewer'),
  readAlerts: (v: Viewer) => hasRole(v, 'analyst'),
  triage: (v: Viewer) => hasRole(v, 'analyst'),
  edit: (v: Viewer) => hasRole(v, 'editor'),
  admin: (v: Viewer) => hasRole(v, 'admin'),
};

/** Anonymous visitors see TLP:CLEAR only, whatever is asked. */
export const clearanceOf = (role: Viewer['role'], clearance: string): number => (role === 'anonymous' ? 0 : tlpRank(clearance));
