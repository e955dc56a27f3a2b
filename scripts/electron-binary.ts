// The Electron binary, when the electron package's postinstall managed to download it. Machines
// without it (CI, locked-down networks) run browser mode instead.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function electronBinary(root: string): string | null {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const rel = readFileSync(pathFile, 'utf8').trim();
  if (!rel) return null;
  const bin = join(pkg, 'dist', rel);
  return existsSync(bin) ? bin : null;
}
