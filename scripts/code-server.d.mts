// Types for scripts/code-server.mjs, so TypeScript tests (test/e2e) can load it with a typed dynamic import().
import type { ChildProcess } from 'node:child_process';
import type { Browser, BrowserContext } from 'playwright-core';

export const REPO: string;
export function toolchain(): { cache: string; node24Dir: string; node24: string; entry: string; installed: boolean };
export function requireCodeServer(): ReturnType<typeof toolchain>;
export function onCleanup(fn: () => unknown): () => unknown;
export function killGroup(child: ChildProcess, signal?: NodeJS.Signals): void;
export function stopGroup(child: ChildProcess, graceMs?: number): Promise<void>;
export function sleep(ms: number): Promise<void>;
export function freePort(): Promise<number>;
export function waitForHttp(url: string, o?: { timeoutMs?: number; child?: ChildProcess }): Promise<number>;
export function tempDir(prefix: string): string;
export function copyWorkspace(src: string, prefix?: string): string;
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): string;
export const QUIET_SETTINGS: Record<string, unknown>;
export interface CodeServerOptions {
  smokeTestDriver?: boolean;
  workspaceTrust?: boolean;
  extensionsDir?: string;
  userDataDir?: string;
  settings?: Record<string, unknown>;
  port?: number;
  extraArgs?: string[];
  log?: (line: string) => void;
}
export interface CodeServer {
  url: string; port: number; origin: string; userDataDir: string; extensionsDir: string; child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}
export function startCodeServer(o?: CodeServerOptions): Promise<CodeServer>;
export function codeServerCli(args: string[], o?: { userDataDir?: string; extensionsDir?: string }): string;
export function linkExtension(extensionsDir: string, extPath?: string): { id: string; target: string };
export function extensionTestUrl(origin: string, o: { workspace?: string; extensionDevelopmentPath: string; extensionTestsPath?: string }): string;
export const CHROMIUM_ARGS: string[];
export function chromiumPath(): string;
export function launchChromium(o?: { viewport?: { width: number; height: number } }): Promise<{ browser: Browser; context: BrowserContext; close(): Promise<void> }>;
