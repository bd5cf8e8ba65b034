// Helpers for the runtime drivers, run in Node: paths, the vector files as
// text, and Session. A Session owns the child processes, servers and
// browsers of one runtime, and stops them when the runtime ends or times out.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { loadVectors, vectorsDir } from "../load-vectors.js";

export const runtimesDir = path.dirname(fileURLToPath(import.meta.url));
export const npmDir = path.resolve(runtimesDir, "../..");
export const binDir = path.join(npmDir, "node_modules", ".bin");
export { vectorsDir };

const CLEANUP_TIMEOUT_MS = 10_000;
const OUTPUT_TAIL_CHARS = 4_000;

/**
 * Reads the vector files that load-vectors.js selects, as raw JSON text keyed
 * by their path under tests/vectors/, so that each runtime parses the same
 * bytes with its own JSON.parse.
 */
export function readVectorTexts() {
  const texts = {};
  for (const relativePath of Object.keys(loadVectors())) {
    texts[relativePath] = readFileSync(path.join(vectorsDir, relativePath), "utf8");
  }
  return texts;
}

/** Extracts the `RESULT {...}` line that cli-child.mjs and edge-runtime-child.mjs print. */
export function parseResultLine(stdout) {
  const line = stdout.split("\n").find((candidate) => candidate.startsWith("RESULT "));
  if (line === undefined) throw new Error("the child printed no RESULT line");
  return JSON.parse(line.slice("RESULT ".length));
}

/** Returns the last characters of a child's output, for error messages. */
export function outputTail(text) {
  const trimmed = text.trim();
  return trimmed.length <= OUTPUT_TAIL_CHARS ? trimmed : `...${trimmed.slice(-OUTPUT_TAIL_CHARS)}`;
}

/** Rejects with "LABEL timed out after N s" unless `promise` settles within `milliseconds`. */
export function withTimeout(promise, milliseconds, label) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out after ${milliseconds / 1000} s`)), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runCleanup(cleanup) {
  try {
    await withTimeout(Promise.resolve().then(cleanup), CLEANUP_TIMEOUT_MS, "cleanup");
  } catch (error) {
    console.error(`cleanup failed: ${error.message}`);
  }
}

/** The processes and other resources of one runtime's run. */
export class Session {
  #cleanups = [];
  #abort = new AbortController();
  #closed = false;

  /** Aborted when the session closes, so that pending fetches stop. */
  get signal() {
    return this.#abort.signal;
  }

  /**
   * Registers `cleanup` to run (last registered first) when the session
   * closes. After close, for example when a browser launch ends after the
   * time limit, it runs `cleanup` at once and throws to stop the driver.
   */
  defer(cleanup) {
    if (this.#closed) {
      runCleanup(cleanup);
      throw new Error("the session is already closed");
    }
    this.#cleanups.push(cleanup);
  }

  /**
   * Spawns a child in its own process group. Closing the session kills the
   * whole group, so a launcher script cannot leave the real binary behind.
   */
  spawn(command, args, options = {}) {
    if (this.#closed) throw new Error(`the session is already closed, so ${command} was not started`);
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options, detached: true });
    const exited = new Promise((resolve) => child.once("close", resolve));
    child.once("error", () => {});
    this.defer(async () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch (error) {
        if (error.code !== "ESRCH") throw error;
      }
      await exited;
    });
    return child;
  }

  /**
   * Runs a child to completion and returns `{ code, signal, stdout, stderr }`.
   * Rejects when the command cannot be started.
   */
  run(command, args, options = {}) {
    const child = this.spawn(command, args, options);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    return new Promise((resolve, reject) => {
      child.once("error", (error) => reject(new Error(`failed to start ${command}: ${error.message}`)));
      child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  }

  /** Runs the cleanups, logging and skipping any that fail or take over 10 s. */
  async close() {
    this.#closed = true;
    this.#abort.abort(new Error("the runtime's session closed"));
    while (this.#cleanups.length > 0) await runCleanup(this.#cleanups.pop());
  }
}
