// The specforge extension: starts `specforge lsp` and lets the editor talk to it.
// Everything the language knows lives in the server; this file only wires it in.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("specforge");
  const [command, ...args] = config.get("command", ["specforge"]);
  const server = { command, args: [...args, "lsp"], transport: TransportKind.stdio };
  client = new LanguageClient("specforge", "specforge", server, {
    documentSelector: [{ scheme: "file", language: "specforge" }, { scheme: "untitled", language: "specforge" }],
    initializationOptions: {
      reports: config.get("reports", []),
      proveTimeLimit: config.get("proveTimeLimit", 30),
      depth: config.get("depth", 10),
    },
  });
  // The server's own command (specforge.proveInvariant) is registered by the client;
  // this one hands it the document and the cursor.
  context.subscriptions.push(
    vscode.commands.registerTextEditorCommand("specforge.proveInvariantAtCursor", (editor) =>
      client.sendRequest("workspace/executeCommand", {
        command: "specforge.proveInvariant",
        arguments: [
          editor.document.uri.toString(),
          { line: editor.selection.active.line, character: editor.selection.active.character },
        ],
      })
    )
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
