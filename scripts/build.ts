// `npm run build`: the renderer (vite) and, once scripts/build-electron.ts exists, the Electron
// bundles. Up-to-date steps are skipped; `--force` rebuilds everything.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { withBuildLock } from './build-lock';
import { ELECTRON_BUILD_SCRIPT, ROOT, electronStep, isStale, rendererStep, runStep } from './build-steps';

export type BuildReport = { renderer: 'built' | 'up to date'; electron: 'built' | 'up to date' | 'no build script' | 'skipped' };

export async function ensureBuilt(opts: { electron?: boolean; force?: boolean; quiet?: boolean } = {}): Promise<BuildReport> {
  const log = opts.quiet ? () => {} : (m: string) => console.log(`build: ${m}`);
  return withBuildLock(join(ROOT, 'dist'), async () => {
    const report: BuildReport = { renderer: 'up to date', electron: 'skipped' };
    if (opts.force || isStale(rendererStep)) {
      log(`building ${rendererStep.name}...`);
      await runStep(rendererStep, opts.quiet);
      report.renderer = 'built';
    }
    log(`${rendererStep.name}: ${report.renderer}`);
    if (opts.electron !== false) {
      if (!existsSync(ELECTRON_BUILD_SCRIPT)) report.electron = 'no build script';
      else if (opts.force || isStale(electronStep)) {
        log(`building ${electronStep.name}...`);
        await runStep(electronStep, opts.quiet);
        report.electron = 'built';
      } else report.electron = 'up to date';
      log(`${electronStep.name}: ${report.electron}`);
    }
    return report;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureBuilt({ force: process.argv.includes('--force') }).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
