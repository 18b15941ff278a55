/** Where bundled content lives, relative to the installed package (works from dist/ and from a clone). */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const packageRoot = (): string => fileURLToPath(new URL('../', import.meta.url));
export const bundledRulesDir = (): string => join(packageRoot(), 'content', 'rules');
export const bundledSampleDir = (): string => join(packageRoot(), 'content', 'samples', 'cloudtrail');
export const bundledContentDir = (): string => join(packageRoot(), 'content');
/** Vocabularies, ATT&CK data and JSON Schemas: read at run time, never compiled in. */
export const dataDir = (): string => join(packageRoot(), 'data');
