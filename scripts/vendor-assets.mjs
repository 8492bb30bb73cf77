#!/usr/bin/env node
// Copies the browser assets installed from the npm registry into
// nastavnik/static/vendor/ (git-ignored), so the app serves them itself and
// no page ever needs a CDN. Run after `npm ci`; safe to run again.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "nastavnik", "static", "vendor");
const fontsOut = join(vendor, "fonts");

// app.css declares @font-face for exactly these subsets and weights.
const SUBSETS = ["cyrillic", "cyrillic-ext", "latin", "latin-ext"];
const WEIGHTS = [400, 500, 600, 700];

function need(path) {
  if (!existsSync(path)) {
    console.error(`vendor-assets: ${path} не найден — сначала выполните npm ci`);
    process.exit(1);
  }
  return path;
}

let copied = 0;
function copy(from, to) {
  copyFileSync(need(from), to);
  copied += 1;
}

mkdirSync(fontsOut, { recursive: true });

copy(join(modules, "htmx.org", "dist", "htmx.min.js"), join(vendor, "htmx.min.js"));
// Charts of the regional indicators (the same figures stand in a table beside each one).
copy(join(modules, "chart.js", "dist", "chart.umd.min.js"), join(vendor, "chart.umd.min.js"));
// The viewer of the indicators API's OpenAPI at /api/docs (started by static/js/api-docs.js).
const swaggerOut = join(vendor, "swagger-ui");
mkdirSync(swaggerOut, { recursive: true });
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"]) {
  copy(join(modules, "swagger-ui-dist", name), join(swaggerOut, name));
}

const fontsIn = need(join(modules, "@fontsource", "golos-text", "files"));
const wanted = new Set(
  SUBSETS.flatMap((s) => WEIGHTS.map((w) => `golos-text-${s}-${w}-normal.woff2`)),
);
const present = new Set(readdirSync(fontsIn));
for (const name of [...wanted].sort()) {
  if (!present.has(name)) {
    console.error(`vendor-assets: в @fontsource/golos-text нет ${name}`);
    process.exit(1);
  }
  copy(join(fontsIn, name), join(fontsOut, name));
}
// The OFL asks for the licence to travel with the font files.
copy(join(modules, "@fontsource", "golos-text", "LICENSE"), join(fontsOut, "OFL-golos-text.txt"));

// DejaVu TTFs for generated documents (ReportLab embeds them into PDFs; the
// Serif family stands in for Times, the Sans family for tables and forms).
// nastavnik/platform/documents/fonts.py loads exactly these files.
const DEJAVU = [
  "DejaVuSerif.ttf",
  "DejaVuSerif-Bold.ttf",
  "DejaVuSerif-Italic.ttf",
  "DejaVuSerif-BoldItalic.ttf",
  "DejaVuSans.ttf",
  "DejaVuSans-Bold.ttf",
  "DejaVuSans-Oblique.ttf",
  "DejaVuSans-BoldOblique.ttf",
];
const dejavuIn = need(join(modules, "dejavu-fonts-ttf", "ttf"));
for (const name of DEJAVU) {
  copy(join(dejavuIn, name), join(fontsOut, name));
}
copy(join(modules, "dejavu-fonts-ttf", "LICENSE"), join(fontsOut, "LICENSE-dejavu.txt"));
console.log(` ${copied} files in ${vendor.slice(root.length + 1)}/`);
