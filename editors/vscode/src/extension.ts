// The wfkit extension: starts the wfkit language server (`wf lsp`) for YAML and JSON files
// and restarts it when its settings change. Everything else (diagnostics, hover, completion,
// navigation, rename, quick fixes, semantic highlighting) comes from the server.

import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("wfkit.restartServer", () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("wfkit.server") || event.affectsConfiguration("wfkit.files")) {
        void restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** The command that runs the server, from the settings. */
function serverCommand(): { command: string; args: string[] } {
  const config = vscode.workspace.getConfiguration("wfkit");
  const command = config.get<string>("server.path")?.trim() || "wf";
  const args = config.get<string[]>("server.args") ?? ["lsp"];
  return { command, args };
}

/** The files the server reads: YAML and JSON files matching the `wfkit.files` patterns. */
function documentSelector(): LanguageClientOptions["documentSelector"] {
  const patterns = vscode.workspace.getConfiguration("wfkit").get<string[]>("files") ?? ["**/*.yaml", "**/*.yml", "**/*.json"];
  const languages = ["yaml", "json"];
  return [
    ...patterns.flatMap((pattern) => languages.map((language) => ({ scheme: "file", language, pattern }))),
    ...languages.map((language) => ({ scheme: "untitled", language })),
  ];
}

async function start(): Promise<void> {
  const { command, args } = serverCommand();
  // No `transport`: plain stdio, with the command line exactly as configured (a `stdio`
  // transport would append `--stdio`).
  const serverOptions: ServerOptions = { command, args };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    outputChannelName: "wfkit",
  };
  client = new LanguageClient("wfkit", "wfkit language server", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `wfkit: could not start \`${[command, ...args].join(" ")}\` (${message}). ` +
        "Install wf (`cargo install --path crates/wf-cli`) or set `wfkit.server.path`.",
    );
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}
