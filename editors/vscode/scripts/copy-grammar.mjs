// Copies the TextMate grammar from the repository's `grammar/` folder (its one source) into
// the extension, which may only package files inside its own folder.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const name = "wfkit-expression.tmLanguage.json";
mkdirSync(join(here, "..", "syntaxes"), { recursive: true });
copyFileSync(join(here, "..", "..", "..", "grammar", name), join(here, "..", "syntaxes", name));
