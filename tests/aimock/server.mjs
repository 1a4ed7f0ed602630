#!/usr/bin/env node
// Mock OpenAI/Anthropic server for caio's interoperability tests (tests/cli/providers.rs)
// and the README's failover example, built on @copilotkit/aimock (pinned in package.json;
// install with `npm ci --prefix tests/aimock`).
//
// Usage:
//   node server.mjs [--port N] [--host H] [--fixtures PATH]... [--api-keys k1,k2] [--stdin-lifeline]
//   env fallbacks: AIMOCK_PORT (or PORT), AIMOCK_HOST, AIMOCK_FIXTURES (":"-separated), AIMOCK_API_KEYS
//   default port 0 (ephemeral), default fixtures ./fixtures.json next to this file.
//
// Prints exactly one line on stdout when ready:   listening on http://127.0.0.1:PORT
// Stops cleanly (exit 0) on SIGTERM / SIGINT, and on stdin EOF when --stdin-lifeline is given.
//
// What it adds on top of plain aimock (besides a fixture that echoes the key it got):
//  1. Anthropic request validation (aimock itself accepts anything): predicate fixtures,
//     placed before all others, answer 400/401 with Anthropic's error envelope
//     {"type":"error","error":{"type":"invalid_request_error","message":"..."}}.
//     aimock hands predicates a *normalised* request (Anthropic -> OpenAI shape, with
//     non-user/assistant roles silently dropped), so the predicates read the raw body and
//     headers from an AsyncLocalStorage populated by a passive tap on the request stream.
//  2. A raw request log (aimock's journal stores the normalised body and redacts keys):
//       GET    /__caio/requests   -> [{seq, method, path, headers, body, status}]
//       DELETE /__caio/requests   -> clears it
//     body = parsed JSON, or for multipart {fields:{...}, files:[{field, filename,
//     content_type, size, sha256}]}, or {raw: "..."} when neither parses.
//  aimock's own control API (/__aimock/journal, /__aimock/reset/journal, ...) still works.

import { createServer, loadFixtureFile, loadFixturesFromDir } from "@copilotkit/aimock";
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------- arguments
const argv = process.argv.slice(2);
const opt = { fixtures: [] };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const next = () => {
    if (i + 1 >= argv.length) die(`missing value for ${a}`);
    return argv[++i];
  };
  if (a === "--port" || a === "-p") opt.port = next();
  else if (a === "--host") opt.host = next();
  else if (a === "--fixtures" || a === "-f") opt.fixtures.push(next());
  else if (a === "--api-keys") opt.apiKeys = next();
  else if (a === "--stdin-lifeline") opt.lifeline = true;
  else die(`unknown argument: ${a}`);
}
function die(msg) {
  process.stderr.write(`server.mjs: ${msg}\n`);
  process.exit(2);
}
const port = Number(opt.port ?? process.env.AIMOCK_PORT ?? process.env.PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) die(`bad port: ${opt.port}`);
const host = opt.host ?? process.env.AIMOCK_HOST ?? "127.0.0.1";
const here = dirname(fileURLToPath(import.meta.url));
const fixturePaths = opt.fixtures.length
  ? opt.fixtures
  : process.env.AIMOCK_FIXTURES
    ? process.env.AIMOCK_FIXTURES.split(":").filter(Boolean)
    : [join(here, "fixtures.json")];
const apiKeysRaw = opt.apiKeys ?? process.env.AIMOCK_API_KEYS;
const apiKeys = apiKeysRaw ? apiKeysRaw.split(",").filter(Boolean) : undefined;

// ---------------------------------------------------------- request context
// One store per HTTP request: { method, path, headers, rawBody (Buffer, set on body end) }.
const als = new AsyncLocalStorage();
const anthropicReq = () => {
  const s = als.getStore();
  return s && s.method === "POST" && s.path === "/v1/messages" ? s : null;
};

// ------------------------------------------------------ Anthropic validation
// Messages modelled on what api.anthropic.com returns; returns null when the request is fine.
const ANTHROPIC_TOP_LEVEL = new Set([
  "model", "messages", "max_tokens", "system", "temperature", "top_p", "top_k",
  "stop_sequences", "stream", "metadata", "tools", "tool_choice", "thinking",
  "service_tier", "container", "mcp_servers",
]);
function anthropicViolation(s) {
  const bad = (message, status = 400, type = "invalid_request_error") => ({ status, type, message });
  const h = s.headers;
  if (!h["x-api-key"]) return bad("x-api-key header is required", 401, "authentication_error");
  if (!h["anthropic-version"]) return bad("anthropic-version: header is required");
  let body;
  try {
    body = JSON.parse(s.rawBody?.toString("utf8") ?? "");
  } catch {
    return null; // aimock answers malformed JSON with its own 400 before matching
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) return null;
  if (body.model === undefined) return bad("model: Field required");
  if (typeof body.model !== "string" || body.model === "") return bad("model: Input should be a valid string");
  if (body.max_tokens === undefined) return bad("max_tokens: Field required");
  if (!Number.isInteger(body.max_tokens)) return bad("max_tokens: Input should be a valid integer");
  if (body.max_tokens < 1) return bad("max_tokens: Input should be greater than or equal to 1");
  if (body.messages === undefined) return bad("messages: Field required");
  if (!Array.isArray(body.messages)) return bad("messages: Input should be a valid list");
  if (body.messages.length === 0) return bad("messages: at least one message is required");
  for (const [i, m] of body.messages.entries()) {
    if (m?.role === "system")
      return bad('messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.');
    if (m?.role !== "user" && m?.role !== "assistant")
      return bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
  }
  for (const k of Object.keys(body)) if (!ANTHROPIC_TOP_LEVEL.has(k)) return bad(`${k}: Extra inputs are not permitted`);
  return null;
}

const validationFixtures = [
  {
    // First fixture in the pool: matches only invalid /v1/messages requests.
    match: {
      predicate: () => {
        const s = anthropicReq();
        if (!s) return false;
        s.violation = anthropicViolation(s);
        return s.violation !== null;
      },
    },
    // Response factory: aimock wraps {error, status} as {"type":"error","error":{type,message}}.
    response: () => {
      const v = anthropicReq().violation;
      return { error: { type: v.type, message: v.message }, status: v.status };
    },
  },
];

// A provider that echoes the key it was sent in its error, as some do: the model names
// ending in "echo-key" answer 401 with the key in the message (Anthropic's envelope on
// /v1/messages, OpenAI's elsewhere), so the tests can prove caio masks it everywhere.
const echoKeyFixtures = [
  {
    match: { model: /echo-key$/ },
    response: () => {
      const h = als.getStore()?.headers ?? {};
      const key = (h.authorization ?? "").replace(/^Bearer /, "") || h["x-api-key"] || "";
      return {
        error: { message: `Incorrect API key provided: ${key}.`, type: "authentication_error", code: "invalid_api_key" },
        status: 401,
      };
    },
  },
];

// ------------------------------------------------------------------ fixtures
const fixtures = [...validationFixtures, ...echoKeyFixtures];
for (const p of fixturePaths) {
  const loaded = statSync(p).isDirectory() ? loadFixturesFromDir(p) : loadFixtureFile(p);
  if (loaded.length === 0) die(`no fixtures loaded from ${p}`);
  fixtures.push(...loaded);
}

// ----------------------------------------------------------- raw request log
const rawLog = [];
let seq = 0;
function decodeBody(headers, buf) {
  if (!buf || buf.length === 0) return null;
  const ct = headers["content-type"] ?? "";
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(ct);
  if (ct.startsWith("multipart/form-data") && m) return parseMultipart(buf, m[1] ?? m[2]);
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch {
    return { raw: buf.toString("utf8") };
  }
}
function parseMultipart(buf, boundary) {
  const out = { fields: {}, files: [] };
  const delim = Buffer.from(`--${boundary}`);
  let pos = buf.indexOf(delim);
  while (pos !== -1) {
    const start = pos + delim.length;
    if (buf.slice(start, start + 2).toString() === "--") break;
    const next = buf.indexOf(delim, start);
    if (next === -1) break;
    const part = buf.slice(start + 2, next - 2); // skip CRLF after delimiter and before next
    const sep = part.indexOf("\r\n\r\n");
    const head = part.slice(0, sep).toString("utf8");
    const data = part.slice(sep + 4);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    if (filename !== undefined) {
      out.files.push({
        field: name,
        filename,
        content_type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? null,
        size: data.length,
        sha256: createHash("sha256").update(data).digest("hex"),
      });
    } else if (name !== undefined) out.fields[name] = data.toString("utf8");
    pos = next;
  }
  return out;
}
function handleCaio(req, res, path) {
  const send = (status, obj) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(obj));
  };
  if (path === "/__caio/requests" && req.method === "GET") return send(200, rawLog);
  if (path === "/__caio/requests" && req.method === "DELETE") {
    rawLog.length = 0;
    return send(200, { cleared: true });
  }
  return send(404, { error: `unknown endpoint ${req.method} ${path}` });
}

// -------------------------------------------------------------------- server
const inst = await createServer(fixtures, {
  host,
  port,
  logLevel: "silent",
  journalMaxEntries: 0, // keep every request for the test's lifetime
  ...(apiKeys ? { auth: { apiKeys } } : {}),
});
const { server } = inst;

// Wrap aimock's request listener: serve /__caio/*, otherwise tap the body passively
// (aimock reads bodies through 'data'/'end' events) and run aimock inside the ALS store.
const aimockListeners = server.listeners("request");
server.removeAllListeners("request");
server.on("request", (req, res) => {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (path.startsWith("/__caio/")) return handleCaio(req, res, path);
  const store = { method: req.method, path, headers: req.headers, rawBody: undefined }; // aimock adds x-request-id to req.headers
  const entry = { seq: ++seq, method: req.method, path, headers: store.headers, body: null, status: null };
  if (!path.startsWith("/__aimock")) rawLog.push(entry);
  const chunks = [];
  const origEmit = req.emit;
  req.emit = function (ev, ...args) {
    if (ev === "data") chunks.push(Buffer.from(args[0]));
    else if (ev === "end" && store.rawBody === undefined) {
      store.rawBody = Buffer.concat(chunks);
      entry.body = decodeBody(store.headers, store.rawBody);
    }
    return origEmit.call(this, ev, ...args);
  };
  res.on("finish", () => (entry.status = res.statusCode));
  res.on("close", () => entry.status ?? (entry.status = res.writableFinished ? res.statusCode : "aborted"));
  als.run(store, () => {
    for (const l of aimockListeners) l.call(server, req, res);
  });
});

// ------------------------------------------------------------------ shutdown
let stopping = false;
function shutdown(reason) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`server.mjs: stopping (${reason})\n`);
  server.close(() => process.exit(0));
  server.closeAllConnections?.(); // drop keep-alive and in-flight streams so close() completes
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
if (opt.lifeline) {
  process.stdin.on("end", () => shutdown("stdin closed"));
  process.stdin.resume();
}

const addr = server.address();
process.stdout.write(`listening on http://${addr.address}:${addr.port}\n`);
