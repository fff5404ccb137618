// Tokenizes expressions with the TextMate injection grammar, using vscode-textmate and the
// Oniguruma engine that VS Code itself uses, and checks the scopes of their parts. The
// grammar is loaded on its own (as the top-level grammar), since the YAML and JSON grammars
// ship with VS Code and are not available here.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const require = createRequire(import.meta.url);
const textmate = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = dirname(fileURLToPath(import.meta.url));
const grammarPath = join(here, "..", "..", "..", "grammar", "wfkit-expression.tmLanguage.json");
const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
await oniguruma.loadWASM(wasm);

const registry = new textmate.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async () => textmate.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath),
});
const grammar = await registry.loadGrammar("source.wfkit.expression.injection");

/** The innermost scope of each token of `line`, as `text => scope`. */
function tokens(line) {
  const { tokens } = grammar.tokenizeLine(line, textmate.INITIAL);
  return tokens
    .map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]])
    .filter(([text]) => text.trim() !== "");
}

function scopeOf(line, part) {
  const found = tokens(line).find(([text]) => text === part);
  assert.ok(found, `no token ${JSON.stringify(part)} in ${JSON.stringify(line)}: ${JSON.stringify(tokens(line))}`);
  return found[1];
}

const line = '${not (resp.code in [200, 201]) and text.split(args.csv, ",")[0] != null}';
const expected = {
  "${": "punctuation.definition.template-expression.begin.wfkit",
  not: "keyword.operator.word.wfkit",
  resp: "variable.other.readwrite.wfkit",
  code: "variable.other.property.wfkit",
  in: "keyword.operator.word.wfkit",
  "200": "constant.numeric.wfkit",
  and: "keyword.operator.word.wfkit",
  text: "entity.name.namespace.wfkit",
  split: "entity.name.function.wfkit",
  "!=": "keyword.operator.wfkit",
  null: "constant.language.wfkit",
  "}": "punctuation.definition.template-expression.end.wfkit",
};
for (const [part, scope] of Object.entries(expected)) {
  assert.equal(scopeOf(line, part), scope, `${part} in ${line}`);
}
/** Whether some token of `line` is `part` with `scope` (string literals are split into tokens). */
const has = (line, part, scope) => tokens(line).some(([text, s]) => text === part && s === scope);
assert.ok(has(line, ",", "string.quoted.double.wfkit"), "the string literal");
assert.equal(scopeOf("${len(items) + 1}", "len"), "support.function.builtin.wfkit");
assert.equal(scopeOf("${x // 2}", "//"), "keyword.operator.wfkit");
// Inside a JSON string or a YAML double-quoted scalar, quotes are escaped.
assert.ok(has('${\\"héllo \\" + name}', "héllo ", "string.quoted.double.wfkit"), "an escaped string literal");
assert.equal(scopeOf('${\\"héllo \\" + name}', "name"), "variable.other.readwrite.wfkit");
// A map literal's braces do not end the expression.
assert.equal(scopeOf('${ {"a": 1}.a }', "}"), "punctuation.definition.dict.end.wfkit");
// Text outside `${...}` is left to the host grammar.
assert.equal(tokens("plain text").length, 1);
assert.equal(tokens("plain text")[0][1], "source.wfkit.expression.injection");
console.log("grammar: all token scopes as expected");
