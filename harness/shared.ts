// The project's shared folder (kubeflow example manifests and reference CRDs) sits beside the repository: in a
// developer's checkout and in CI alike (`../shared` from the repository root). SPARKOP_SHARED_DIR overrides it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A folder inside shared/, e.g. sharedPath('examples', 'kubeflow'); a clear error when it is not there. */
export function sharedPath(...parts: string[]): string {
  const root = process.env.SPARKOP_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');
  const path = join(root, ...parts);
  if (!existsSync(path)) {
    throw new Error(
      `${path} not found: these tests read the project's shared folder, expected beside the repository ` +
        `(../shared from ${REPO_ROOT}); set SPARKOP_SHARED_DIR to its location`,
    );
  }
  return path;
}
