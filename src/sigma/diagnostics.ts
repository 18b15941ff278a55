/** A problem found in a rule or an input, located as `file:line:col` so editors can jump to it. */
export interface Diagnostic {
  file: string;
  line: number; // 1-based; 0 when the problem has no position (e.g. unreadable file)
  col: number; // 1-based
  severity: 'error' | 'warning';
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  return `${where}: ${d.severity}: ${d.message}`;
}

/** Thrown while compiling one rule; caught by the loader and turned into a Diagnostic. */
export class RuleError extends Error {
  constructor(
    message: string,
    readonly pos?: Position,
  ) {
    super(message);
  }
}

export interface Position {
  line: number;
  col: number;
}
