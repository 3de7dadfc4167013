// Tokenizes a spec with the extension's TextMate grammar, as VS Code would (vscode-textmate and
// the Oniguruma regex engine), and prints one JSON array per line: [text, innermost scope] pairs.
// Used by tests/test_editor.py: node test/tokenize.js FILE
"use strict";

const fs = require("fs");
const path = require("path");
const oniguruma = require("vscode-oniguruma");
const textmate = require("vscode-textmate");

async function main(file) {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () => {
      const grammarPath = path.join(__dirname, "..", "syntaxes", "specforge.tmLanguage.json");
      return textmate.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath);
    },
  });
  const grammar = await registry.loadGrammar("source.specforge");
  let stack = textmate.INITIAL;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const result = grammar.tokenizeLine(line, stack);
    const tokens = result.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]]);
    process.stdout.write(JSON.stringify(tokens) + "\n");
    stack = result.ruleStack;
  }
}

main(process.argv[2]).catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
