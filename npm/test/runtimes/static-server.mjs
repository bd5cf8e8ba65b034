// A static file server on 127.0.0.1 for the Chromium run: /npm/ serves the
// package folder, /vectors/ serves tests/vectors/, and /vector-index.json
// lists the vector files that load-vectors.js selects.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";

import { npmDir, readVectorTexts, vectorsDir } from "./shared.mjs";

const ROOTS = { "/npm/": npmDir, "/vectors/": vectorsDir };

const MIME_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** Maps a URL path to a file under one of ROOTS, or returns null. */
function filePath(urlPath) {
  for (const [prefix, root] of Object.entries(ROOTS)) {
    if (!urlPath.startsWith(prefix)) continue;
    const resolved = path.resolve(root, `.${decodeURIComponent(urlPath.slice(prefix.length - 1))}`);
    return resolved.startsWith(root + path.sep) ? resolved : null;
  }
  return null;
}

async function handle(request, response) {
  const { pathname } = new URL(request.url, "http://127.0.0.1");
  const headers = { "cache-control": "no-store" };
  if (request.method !== "GET") {
    response.writeHead(405, headers).end();
    return;
  }
  if (pathname === "/vector-index.json") {
    response.writeHead(200, { ...headers, "content-type": MIME_TYPES[".json"] });
    response.end(JSON.stringify(Object.keys(readVectorTexts())));
    return;
  }
  const file = filePath(pathname);
  const type = file === null ? undefined : MIME_TYPES[path.extname(file)];
  const isFile = type !== undefined && (await stat(file).catch(() => null))?.isFile();
  if (!isFile) {
    console.error(`static server: 404 for ${request.method} ${pathname}`);
    response.writeHead(404, headers).end();
    return;
  }
  response.writeHead(200, { ...headers, "content-type": type });
  createReadStream(file).pipe(response);
}

/** Starts the server on a free port of 127.0.0.1 and returns its origin. Closing `session` stops it. */
export async function startStaticServer(session) {
  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      console.error(`static server: ${request.url} failed: ${error.message}`);
      response.destroy(error);
    });
  });
  session.defer(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return `http://127.0.0.1:${server.address().port}`;
}
