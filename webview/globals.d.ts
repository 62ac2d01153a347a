// esbuild's text loader turns imported CSS into a string (see esbuild.mjs).
declare module '*.css' {
  const text: string;
  export default text;
}

/** Present inside a VS Code webview only. */
declare function acquireVsCodeApi(): { postMessage(msg: unknown): void; getState(): unknown; setState(s: unknown): void };
