// Driver for workerd: starts `workerd serve` with workerd.capnp on
// 127.0.0.1, posts the vector files to the Worker and returns its result.
import path from "node:path";
import { createInterface } from "node:readline";

import { binDir, outputTail, readVectorTexts, runtimesDir } from "./shared.mjs";

/** Resolves with the port of socket "http" once workerd reports that it listens. */
function listenPort(child, stderr) {
  return new Promise((resolve, reject) => {
    const events = createInterface({ input: child.stdio[3] });
    events.on("line", (line) => {
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        reject(new Error(`workerd wrote an invalid control message: ${line}`));
        return;
      }
      if (event.event === "listen" && event.socket === "http") resolve(event.port);
    });
    child.once("error", (error) => reject(new Error(`failed to start workerd: ${error.message}`)));
    child.once("close", (code, signal) => {
      reject(new Error(`workerd exited with ${signal ?? `code ${code}`} before listening:\n${outputTail(stderr())}`));
    });
  });
}

export async function runWorkerd(session) {
  const args = [
    "serve",
    path.join(runtimesDir, "workerd.capnp"),
    "--socket-addr",
    "http=127.0.0.1:0",
    "--control-fd",
    "3",
  ];
  const child = session.spawn(path.join(binDir, "workerd"), args, { stdio: ["ignore", "pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  child.stdout.resume();
  const port = await listenPort(child, () => stderr);

  const response = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(readVectorTexts()),
    signal: session.signal,
  });
  if (!response.ok) {
    throw new Error(`workerd returned HTTP ${response.status}: ${await response.text()}\n${outputTail(stderr)}`);
  }
  return response.json();
}
