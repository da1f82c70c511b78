// Shared pieces of `npm start` and `npm test`: install what a fresh clone lacks, run commands
// with inherited output, and find the firebase CLI pinned in package.json.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const projectId = "demo-medsecure";
export const firebaseBin = join(root, "node_modules", ".bin", "firebase");

export function log(message) {
  console.log(`[medsecure] ${message}`);
}

export function ensureNodeModules() {
  if (existsSync(firebaseBin)) return;
  log("node_modules missing: installing firebase-tools (npm ci)...");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm ci failed");
}

export function ensureDotnet() {
  const result = spawnSync("dotnet", ["--version"], { encoding: "utf8" });
  if (result.status !== 0) throw new Error("The .NET 10 SDK is required: https://dotnet.microsoft.com/download");
  log(`.NET SDK ${result.stdout.trim()}`);
}

export function chromiumPath() {
  for (const candidate of [process.env.MEDSECURE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return null;
}

/** Runs a command, resolving with its exit code; Ctrl-C is forwarded to the child. */
export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", ...options });
    const forward = (signal) => () => child.kill(signal);
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(code ?? (signal ? 130 : 1));
    });
  });
}

/** Emulators to start: auth always; the Realtime Database one only when asked (needs Java 21+). */
export function emulatorList(withDatabase) {
  return withDatabase ? "auth,database" : "auth";
}
