/**
 * Builds the operator console from `console/` into `dist/console/` with esbuild: one script
 * bundle, one stylesheet and the page. `npm install` runs it (the `prepare` script), and so
 * does `npm run build:console`; nothing is fetched, so it works offline.
 *
 * Run directly: `tsx src/console/build.ts [outDir]`.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { DEFAULT_CONSOLE_DIR } from './assets.js';

/** The console's source folder. */
export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

/** Browsers the bundle must run in: what an operator's laptop or phone had in 2024. */
const TARGETS = ['chrome111', 'firefox111', 'safari16.4', 'edge111'];

/** Builds the console into `outDir` (emptied first); resolves with the files written. */
export async function buildConsole(outDir: string = DEFAULT_CONSOLE_DIR): Promise<string[]> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, 'assets'), { recursive: true });

  const result = await build({
    entryPoints: [
      { in: join(CONSOLE_SOURCE_DIR, 'src/main.ts'), out: 'console' },
      { in: join(CONSOLE_SOURCE_DIR, 'styles.css'), out: 'console' },
    ],
    outdir: join(outDir, 'assets'),
    bundle: true,
    format: 'esm',
    target: TARGETS,
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  await copyFile(join(CONSOLE_SOURCE_DIR, 'index.html'), join(outDir, 'index.html'));

  const assets = Object.keys(result.metafile.outputs).map((path) => resolve(path));
  return [join(outDir, 'index.html'), ...assets];
}

const runDirectly = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  const outDir = process.argv[2] ?? DEFAULT_CONSOLE_DIR;
  const files = await buildConsole(outDir);
  process.stdout.write(`console built: ${files.length} files in ${outDir}\n`);
}
