/**
 * Expanding the LOGS arguments into the files to read: files as given, directories walked recursively in
 * sorted order (so output is stable), `-` for stdin. CloudTrail-Digest folders hold integrity evidence, not
 * events, and simulation.json is a `tideline simulate` manifest: both are listed as skipped, not read. Symbolic
 * links are followed, except one back to a directory being walked (a loop), which is listed as skipped.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface InputFile {
  path: string; // '-' for stdin
  size: number;
}

export interface WalkResult {
  files: InputFile[];
  skipped: { path: string; reason: string }[];
  errors: { path: string; message: string }[];
}

/**
 * The directories a recursive walk is inside, by real path. A symbolic link back to one of them is a loop, which a
 * walk that follows links would otherwise go round until the kernel's link limit, reading every file some 40 times.
 */
export class OpenDirectories {
  private readonly within = new Set<string>();

  /** Enter a directory by its real path; false when the walk is already inside it (a loop: do not enter). */
  enter(real: string): boolean {
    if (this.within.has(real)) return false;
    this.within.add(real);
    return true;
  }

  leave(real: string): void {
    this.within.delete(real);
  }
}

export function expandInputs(inputs: string[]): WalkResult {
  const res: WalkResult = { files: [], skipped: [], errors: [] };
  const open = new OpenDirectories();
  const visit = (p: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      res.errors.push({ path: p, message: code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${code ?? (e as Error).message}` });
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      let real: string;
      try {
        real = realpathSync.native(p); // one syscall, where the JS realpath stats each path component
        names = readdirSync(p).sort();
      } catch (e) {
        res.errors.push({ path: p, message: `cannot list directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
        return;
      }
      if (!open.enter(real)) {
        res.skipped.push({ path: p, reason: `a symbolic link loop back to ${real}` });
        return;
      }
      for (const name of names) {
        if (name.startsWith('.')) continue;
        const child = join(p, name);
        if (name === 'CloudTrail-Digest') {
          res.skipped.push({ path: child, reason: 'digest files are integrity evidence, not events' });
          continue;
        }
        if (name === 'simulation.json') {
          // The manifest `tideline simulate --out` writes beside AWSLogs/, so the run's folder can be hunted as is.
          res.skipped.push({ path: child, reason: 'tideline simulate manifest, not events' });
          continue;
        }
        visit(child, false);
      }
      open.leave(real);
      return;
    }
    if (!st.isFile() && !top) return; // sockets, fifos met while walking
    res.files.push({ path: p, size: st.size });
  };
  for (const input of inputs) {
    if (input === '-') res.files.push({ path: '-', size: 0 });
    else visit(input, true);
  }
  return res;
}
