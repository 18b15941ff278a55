/** Where bundled content lives, relative to the installed package (works from dist/ and from a clone). */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const packageRoot = (): string => fileURLToPath(new URL('../../', import.meta.url));
export const bundledRulesDir = (): string => join(packageRoot(), 'content', 'rules');
export const bundledSampleDir = (): string => join(packageRoot(), 'content', 'samples', 'cloudtrail');
