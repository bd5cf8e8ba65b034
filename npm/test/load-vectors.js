// Loads every vector file under tests/vectors/ with Node's fs (also works in
// Bun and Deno's Node compatibility). Keys are paths relative to tests/vectors/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const vectorsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../tests/vectors");

export function loadVectors(dir = vectorsDir, prefix = "") {
  const files = {};
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === "gen" || name === "keys") continue;
      Object.assign(files, loadVectors(full, `${prefix}${name}/`));
    } else if (name.endsWith(".json")) {
      files[`${prefix}${name}`] = JSON.parse(readFileSync(full, "utf8"));
    }
  }
  return files;
}
