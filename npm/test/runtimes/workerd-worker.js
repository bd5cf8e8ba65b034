// The Worker that workerd.mjs starts: a POST whose body is a JSON object
// (path under tests/vectors/ -> file text) runs the suite and returns
// runVectors' result as JSON. Any other request gets 405.
import * as pkg from "../../src/workerd.js";
import { runVectorTexts } from "./vector-texts.js";

export default {
  async fetch(request) {
    if (request.method !== "POST") return new Response("expected POST\n", { status: 405 });
    try {
      const texts = await request.json();
      return Response.json(runVectorTexts(pkg, texts));
    } catch (error) {
      console.error(`the conformance run failed: ${error?.stack ?? error}`);
      return new Response(`the conformance run failed: ${error?.stack ?? error}\n`, { status: 500 });
    }
  },
};
