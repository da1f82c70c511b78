// Shared pieces of `npm start` and `npm test`: install what a fresh clone lacks, run commands
// with inherited output, and find the firebase CLI pinned in package.json.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
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

/** host:port of each emulator, from firebase.json (the app and the tests must match it). */
export function emulatorHosts() {
  const config = JSON.parse(readFileSync(join(root, "firebase.json"), "utf8")).emulators;
  const hostOf = (name) => `${config[name].host}:${config[name].port}`;
  return { auth: hostOf("auth"), firestore: hostOf("firestore"), database: hostOf("database") };
}

const storeNames = ["firestore", "sqlite", "rtdb"];

/**
 * Which store to run on, and why: MEDSECURE_STORE (firestore|sqlite|rtdb) wins, MEDSECURE_RTDB=1
 * (or --database) means rtdb, otherwise the Firestore emulator when its setup is available.
 * `setup` is firestoreEmulatorSetup()'s answer. Throws when the explicit choice is impossible.
 * Returns { name, forced, why, emulators, provider, appEnv, label }.
 */
export function chooseStore(setup, { database = false } = {}) {
  const explicit = (process.env.MEDSECURE_STORE ?? "").trim().toLowerCase();
  if (explicit && !storeNames.includes(explicit)) {
    throw new Error(`MEDSECURE_STORE must be one of ${storeNames.join(", ")}, not '${process.env.MEDSECURE_STORE}'`);
  }
  let name;
  let why;
  if (explicit) {
    name = explicit;
    why = `MEDSECURE_STORE=${explicit}`;
  } else if (database || process.env.MEDSECURE_RTDB === "1") {
    name = "rtdb";
    why = database ? "start:rtdb" : "MEDSECURE_RTDB=1";
  } else {
    name = setup.ok ? "firestore" : "sqlite";
    why = setup.ok ? setup.description : setup.reason;
  }
  if (name === "firestore" && !setup.ok) {
    throw new Error(`MEDSECURE_STORE=firestore, but the Cloud Firestore emulator cannot run here: ${setup.reason}`);
  }
  const hosts = emulatorHosts();
  const forced = Boolean(explicit) || name === "rtdb";
  switch (name) {
    case "firestore":
      return {
        name, forced, why,
        emulators: "auth,firestore",
        // The app is told which adapter to use, so the storage line is what really runs.
        provider: "Firestore",
        appEnv: { FIRESTORE_EMULATOR_HOST: hosts.firestore },
        javaEnv: setup.env,
        label: `Cloud Firestore emulator at ${hosts.firestore} (${forced ? `${why}; ${setup.description}` : why})`,
      };
    case "rtdb":
      return {
        name, forced, why,
        emulators: "auth,database",
        provider: "RealtimeDatabase",
        appEnv: { FIREBASE_DATABASE_EMULATOR_HOST: hosts.database },
        // The Realtime Database emulator needs Java 21+ too; reuse what was found, if anything.
        javaEnv: setup.ok ? setup.env : {},
        label: `Realtime Database emulator at ${hosts.database} (${why})`,
      };
    default:
      return {
        name, forced, why,
        emulators: "auth",
        provider: "Sqlite",
        appEnv: {},
        javaEnv: {},
        label: `embedded SQLite (MedSecure.Web/App_Data/medsecure.db) — ${why}`,
      };
  }
}

/**
 * A private temp folder for one firebase-tools process. firebase-tools finds "its" emulator hub
 * (for exports, among others) through a locator file in the temp folder named after the project
 * only, so two suites of demo-medsecure on one machine would otherwise export each other's data.
 */
export function privateTmpdir(purpose) {
  return mkdtempSync(join(tmpdir(), `medsecure-${purpose}-`));
}

/**
 * Starts `firebase emulators:start` in its own process group (so a terminal Ctrl-C reaches only
 * us and we decide the order of shutdown), importing from `dataDir` when given and exporting on
 * exit. Output is passed through. Returns { ready: Promise<void>, exited, stop() }, the last two
 * resolving with { code, exported, output }.
 *
 * firebase-tools exports whatever the emulators hold when it is stopped, even if that is before
 * the import finished (a Ctrl-C during start-up would then replace the saved accounts with none).
 * So the export goes to `<dataDir>.export` and replaces `dataDir` only when the session had
 * started fully and firebase-tools reported the export complete; otherwise the old data stays.
 */
export function startEmulators({ only, dataDir, env = {}, quiet = false }) {
  const tmp = privateTmpdir("emulators");
  const args = ["emulators:start", "--only", only, "--project", projectId];
  const exportDir = dataDir && `${dataDir}.export`;
  const metadata = "firebase-export-metadata.json";
  if (dataDir) {
    // --import of a folder without export metadata fails.
    if (existsSync(join(dataDir, metadata))) args.push("--import", dataDir);
    rmSync(exportDir, { recursive: true, force: true });
    args.push("--export-on-exit", exportDir);
  }
  let isReady = false;
  const child = spawn(firebaseBin, args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, TMPDIR: tmp },
  });
  let output = "";
  let readyResolve;
  let readyReject;
  const ready = new Promise((res, rej) => { readyResolve = res; readyReject = rej; });
  const onData = (stream) => (chunk) => {
    const text = chunk.toString();
    output += text;
    if (!quiet) stream.write(text);
    if (!isReady && output.includes("All emulators ready")) {
      isReady = true;
      readyResolve();
    }
  };
  child.stdout.on("data", onData(process.stdout));
  child.stderr.on("data", onData(process.stderr));
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      rmSync(tmp, { recursive: true, force: true });
      let exported = isReady && output.includes("Export complete") && Boolean(exportDir) && existsSync(join(exportDir, metadata));
      if (exported) {
        try {
          rmSync(dataDir, { recursive: true, force: true });
          renameSync(exportDir, dataDir);
        } catch (error) {
          exported = false;
          output += `\nmoving ${exportDir} to ${dataDir} failed: ${error.message}`;
        }
      } else if (exportDir) {
        rmSync(exportDir, { recursive: true, force: true });
      }
      const result = { code: code ?? 128 + (constants.signals[signal] ?? 1), exported, ready: isReady, output };
      readyReject(new Error(`the emulators exited before they were ready (exit ${result.code})${quiet ? `:\n${output}` : ""}`));
      resolve(result);
    });
  });
  ready.catch(() => {});
  let stopping = null;
  const stop = ({ timeoutMs = 60000 } = {}) => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    if (!stopping) {
      // firebase-tools exports on the first SIGINT, then stops its emulators; a second one skips that.
      try { process.kill(-child.pid, "SIGINT"); } catch { /* already gone */ }
      const timer = setTimeout(kill, timeoutMs);
      stopping = exited.finally(() => clearTimeout(timer));
    }
    return stopping;
  };
  // Right away, no export. firebase-tools starts the Java emulators detached (their own process
  // groups), so they are found as its children; killing its group alone would leave them running.
  const kill = () => {
    const children = spawnSync("ps", ["-o", "pid=", "--ppid", String(child.pid)], { encoding: "utf8" }).stdout.split(/\s+/).filter(Boolean);
    for (const pid of [...children.map(Number), child.pid]) {
      try { process.kill(-pid, "SIGKILL"); } catch { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
    }
  };
  return { ready, exited, stop, kill, pid: child.pid };
}

/** Polls url until it answers 2xx; rejects when `alive()` turns false or after timeoutMs. */
export async function waitForHttp(url, { alive = () => true, timeoutMs = 120000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`gave up waiting for ${url}: the process exited`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/**
 * Runs a command in its own process group with inherited output, resolving with its exit code.
 * Stop requests are passed to the whole group once: a terminal's Ctrl-C reaches npm and us
 * together and npm forwards it again, and firebase-tools treats a second SIGINT as "stop now,
 * skip the clean shutdown", which would leave the Java emulator running.
 */
export function runGroup(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", detached: true, ...options });
    let forwardedAt = 0;
    const forward = (signal) => () => {
      const now = Date.now();
      if (forwardedAt && now - forwardedAt < 1000) return;
      forwardedAt = now;
      try { process.kill(-child.pid, signal); } catch { /* already gone */ }
    };
    const handlers = ["SIGINT", "SIGTERM", "SIGHUP"].map((signal) => [signal, forward(signal === "SIGHUP" ? "SIGTERM" : signal)]);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    child.on("exit", (code, signal) => {
      for (const [s, handler] of handlers) process.off(s, handler);
      resolve(code ?? 128 + (constants.signals[signal] ?? 1));
    });
  });
}
