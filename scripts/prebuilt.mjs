// Prebuilt bundles for Node entry points (`npm start` runs one instead of compiling TypeScript with tsx on
// every launch). A bundle is rebuilt only when one of its inputs changed, and a stale bundle never runs:
// the manifest beside it lists every file esbuild read (its metafile) with size, mtime and SHA-256. A file
// whose size and mtime are unchanged is taken as unchanged (a stat, not a read: the warm path); one whose
// mtime moved is hashed, so a touch or a checkout of the same content does not rebuild; a changed hash, a
// missing input, a changed build recipe or a bundle that is not the one the manifest describes rebuilds.
// Installed packages are one input, node_modules/.package-lock.json (npm rewrites it whenever it changes
// the installed tree), instead of the ~900 package files the bundle holds: a stat each would double the
// warm check. A file edited by hand inside node_modules is not noticed: delete dist/start.mjs after that.
// Plain JavaScript on purpose: the launcher that calls this runs on whatever node started npm.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export const MANIFEST_VERSION = 2;

/** What stands for every installed package file among the inputs. */
export const INSTALLED_PACKAGES = (root) => join(root, 'node_modules', '.package-lock.json');

/** The manifest of a bundle: `<outfile>.inputs.json`. */
export const manifestPath = (outfile) => `${outfile}.inputs.json`;

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Why the bundle must be rebuilt, or null when it is fresh.
 * @param {string} root the folder input paths are relative to
 * @param {string} outfile the bundle
 * @param {string} recipe what built it (esbuild version and options, as text): a different recipe rebuilds
 */
export function staleReason(root, outfile, recipe) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath(outfile), 'utf8'));
  } catch {
    return existsSync(outfile) ? 'the bundle has no manifest' : 'no bundle yet';
  }
  if (manifest.version !== MANIFEST_VERSION || manifest.recipe !== recipe) return 'the build recipe changed';
  let bundle;
  try {
    bundle = statSync(outfile);
  } catch {
    return 'no bundle yet';
  }
  if (bundle.size !== manifest.bundle.size || bundle.mtimeMs !== manifest.bundle.mtimeMs) return 'the bundle is not the one its manifest describes';
  for (const [rel, rec] of Object.entries(manifest.inputs)) {
    const file = resolve(root, rel);
    let st;
    try {
      st = statSync(file);
    } catch {
      return `${rel} is gone`;
    }
    if (rec.sha256 !== null && st.size === rec.size && st.mtimeMs === rec.mtimeMs) continue;
    if (rec.sha256 === null || st.size !== rec.size || sha256(file) !== rec.sha256) return `${rel} changed`;
  }
  return null;
}

/**
 * Builds the bundle with esbuild and writes its manifest. The bundle and the manifest each land by rename,
 * so a concurrent launcher reads either the old pair or the new one.
 * @param {{ root: string, outfile: string, recipe: string, options: object }} spec esbuild options without entry/outfile
 */
export async function buildBundle({ root, outfile, recipe, options }) {
  const esbuild = await import('esbuild');
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.tmp`;
  const started = Date.now();
  const result = await esbuild.build({ ...options, absWorkingDir: root, outfile: tmp, metafile: true, write: true });
  const files = new Set();
  // Without npm's hidden lockfile (another package manager), every package file is an input of its own.
  const summarize = existsSync(INSTALLED_PACKAGES(root));
  for (const key of Object.keys(result.metafile.inputs)) {
    // esbuild names inputs relative to absWorkingDir; virtual inputs (`<define:…>`, namespaced) are no files.
    if (key.includes(':') && !isAbsolute(key)) continue;
    const file = resolve(root, key);
    files.add(summarize && file.split(sep).includes('node_modules') ? INSTALLED_PACKAGES(root) : file);
  }
  const inputs = {};
  for (const file of files) {
    const st = statSync(file);
    // A file written while esbuild ran may differ from what it read: record it unknown, so the next start rebuilds.
    const racing = st.mtimeMs >= started - 1000;
    inputs[relative(root, file)] = { size: st.size, mtimeMs: st.mtimeMs, sha256: racing ? null : sha256(file) };
  }
  renameSync(tmp, outfile);
  for (const extra of ['.map']) if (existsSync(tmp + extra)) renameSync(tmp + extra, outfile + extra);
  const bundle = statSync(outfile);
  const manifest = { version: MANIFEST_VERSION, recipe, bundle: { size: bundle.size, mtimeMs: bundle.mtimeMs }, inputs };
  writeFileSync(`${manifestPath(outfile)}.${process.pid}.tmp`, JSON.stringify(manifest));
  renameSync(`${manifestPath(outfile)}.${process.pid}.tmp`, manifestPath(outfile));
  return { inputs: Object.keys(inputs).length, warnings: result.warnings.length };
}
