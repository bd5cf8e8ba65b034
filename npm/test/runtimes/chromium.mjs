// Driver for Chromium: serves npm/ and tests/vectors/ on 127.0.0.1, opens
// chromium-page.html in Debian's headless Chromium through playwright-core,
// and returns the result the page computes.
import { startStaticServer } from "./static-server.mjs";

const EXECUTABLE_PATH = "/usr/bin/chromium";
const LAUNCH_TIMEOUT_MS = 60_000;

// Playwright's plain launch() also gives the browser a fresh temporary
// profile (--user-data-dir), deleted on close.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function runChromium(session) {
  const origin = await startStaticServer(session);
  // playwright-core does not download browsers, so this starts only EXECUTABLE_PATH.
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: EXECUTABLE_PATH,
    args: CHROMIUM_ARGS,
    timeout: LAUNCH_TIMEOUT_MS,
  });
  session.defer(() => browser.close());

  const page = await browser.newPage();
  // The page needs only the static server, so a request to any other origin
  // is aborted and fails the run.
  const blockedUrls = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    blockedUrls.push(url);
    return route.abort("blockedbyclient");
  });
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      console.error(`chromium console ${message.type()}: ${message.text()}`);
    }
  });
  await page.goto(`${origin}/npm/test/runtimes/chromium-page.html`);
  let result;
  try {
    result = await page.evaluate(() => window.conformance);
  } catch (error) {
    throw new Error([error.message, ...pageErrors].join("\n"));
  }
  if (blockedUrls.length > 0) throw new Error(`the page requested other origins: ${blockedUrls.join(", ")}`);
  return result;
}
