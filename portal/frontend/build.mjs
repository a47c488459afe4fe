// Builds the front end into portal/frontend/dist (served by Django/whitenoise, never committed):
// our Sass (which pulls in govuk-frontend), govuk-frontend's JS and assets, and our own JS.
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, "dist");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const result = sass.compile(join(root, "scss", "main.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions"],
});
writeFileSync(join(out, "css", "main.css"), result.css);

cpSync(join(govuk, "assets"), join(out, "govuk", "assets"), { recursive: true });
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
for (const name of readdirSync(join(root, "js"))) {
  cpSync(join(root, "js", name), join(out, "js", name));
}
console.log(`front end built into ${out}`);
