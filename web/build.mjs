// Builds the dashboard into one directory: the sources in src/ as they are (plain ES modules, no
// bundler) and uPlot's ES module and stylesheet from node_modules under vendor/. Offline once
// `npm ci` has run. Usage: node build.mjs OUT_DIR
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, 'dist'));
const uplot = join(here, 'node_modules', 'uplot', 'dist');
if (!existsSync(join(uplot, 'uPlot.esm.js'))) {
  console.error(`build.mjs: ${uplot}/uPlot.esm.js is missing: run "npm ci" in ${here} first`);
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'vendor'), { recursive: true });
cpSync(join(here, 'src'), out, { recursive: true });
cpSync(join(uplot, 'uPlot.esm.js'), join(out, 'vendor', 'uPlot.esm.js'));
cpSync(join(uplot, 'uPlot.min.css'), join(out, 'vendor', 'uPlot.min.css'));
cpSync(join(here, 'node_modules', 'uplot', 'LICENSE'), join(out, 'vendor', 'uPlot.LICENSE.txt'));

let files = 0;
let bytes = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else { files += 1; bytes += statSync(p).size; }
  }
};
walk(out);
console.log(`build.mjs: ${files} files, ${bytes} bytes in ${out}`);
