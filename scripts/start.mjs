// npm start: the Firebase emulators plus the web app wired to them. Ctrl-C stops both.
//   npm start                     Auth + Cloud Firestore emulators when Java 21+ and the emulator jar
//                                 are found, else Auth + the embedded SQLite store
//   MEDSECURE_STORE=firestore|sqlite|rtdb npm start    force a store
//   npm run start:rtdb            Realtime Database emulator (same as MEDSECURE_STORE=rtdb)
//   PORT=5080 npm start           choose the port
// Emulator data (accounts, Firestore documents) is imported from emulator/data/<store>/ at start
// and exported there on exit, so it lives as long as the SQLite file does.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { join } from "node:path";
import { firestoreEmulatorSetup } from "./firestore-emulator.mjs";
import { chooseStore, emulatorHosts, ensureDotnet, ensureNodeModules, log, projectId, root, run, startEmulators, waitForHttp } from "./lib.mjs";

const port = process.env.PORT ?? "5080";
const url = `http://localhost:${port}`;

let store;
try {
  store = chooseStore(firestoreEmulatorSetup(), { database: process.argv.includes("--database") });
} catch (error) {
  console.error(`[medsecure] ${error.message}`);
  process.exit(2);
}
log(`storage: ${store.label}`);
const dataDir = join(root, "emulator", "data", store.name);

ensureNodeModules();
ensureDotnet();
log("building the web app...");
if ((await run("dotnet", ["build", "MedSecure.Web", "-c", "Release", "-v", "quiet", "-nologo"])) !== 0) process.exit(1);

log(`starting emulators (${store.emulators}), data in emulator/data/${store.name}/`);
const emulators = startEmulators({ only: store.emulators, dataDir, env: store.javaEnv });

let app = null;
let appExit = null;
let stopping = false;
let firstSignalAt = 0;

async function shutdown(reason, exitCode) {
  if (stopping) return;
  stopping = true;
  if (reason) log(reason);
  if (app && appExit === null) {
    app.kill("SIGTERM");
    const killTimer = setTimeout(() => app.kill("SIGKILL"), 15000);
    await appExited;
    clearTimeout(killTimer);
  }
  log("stopping the emulators (exporting their data first)...");
  const result = await emulators.stop();
  if (!result.ready) {
    log(`the emulators had not finished starting: emulator/data/${store.name}/ left as it was`);
  } else if (!result.exported) {
    console.error(`[medsecure] the emulators did not report a finished export: this session's changes are not saved (emulator/data/${store.name}/ keeps the previous state)`);
    if (exitCode === 0) exitCode = 1;
  } else {
    log(`emulator data saved in emulator/data/${store.name}/`);
  }
  process.exit(exitCode);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    // A terminal's Ctrl-C reaches npm and us at once, and npm forwards it again: one stop.
    const now = Date.now();
    if (stopping && now - firstSignalAt > 1000) {
      console.error("[medsecure] second stop request: stopping right away, without waiting for the export");
      if (app && appExit === null) app.kill("SIGKILL");
      emulators.kill();
      process.exit(130);
    }
    if (!stopping) firstSignalAt = now;
    void shutdown(`${signal}: stopping MedSecure, then the emulators`, 0);
  });
}

emulators.exited.then((result) => {
  if (!stopping) void shutdown(`the emulators exited unexpectedly (exit ${result.code}); stopping MedSecure`, result.code || 1);
});

try {
  await emulators.ready;
} catch (error) {
  if (!stopping) {
    console.error(`[medsecure] ${error.message}`);
    process.exit(1);
  }
  await new Promise(() => {}); // shutdown() exits
}

const hosts = emulatorHosts();
app = spawn("dotnet", [join(root, "MedSecure.Web", "bin", "Release", "net10.0", "MedSecure.Web.dll"), "--urls", url], {
  // The content root is the project folder, as with `dotnet run`: App_Data/ lives there.
  cwd: join(root, "MedSecure.Web"),
  stdio: "inherit",
  env: {
    ...process.env,
    ASPNETCORE_ENVIRONMENT: process.env.ASPNETCORE_ENVIRONMENT ?? "Development",
    DOTNET_NOLOGO: "1",
    GCLOUD_PROJECT: projectId,
    FIREBASE_AUTH_EMULATOR_HOST: hosts.auth,
    Storage__Provider: store.provider,
    ...store.appEnv,
  },
});
const appExited = new Promise((resolve) => app.on("exit", (code, signal) => {
  appExit = code ?? 128 + (constants.signals[signal] ?? 1);
  resolve(appExit);
}));
appExited.then((code) => {
  if (!stopping) void shutdown(`MedSecure exited (code ${code}); stopping the emulators`, code);
});

try {
  await waitForHttp(`${url}/health`, { alive: () => appExit === null });
} catch (error) {
  if (!stopping) void shutdown(`MedSecure did not come up: ${error.message}`, 1);
  await new Promise(() => {});
}
if (!stopping) log(`MedSecure will be at ${url}  (Ctrl-C stops the app and the emulators; storage: ${store.name === "sqlite" ? "embedded SQLite" : store.label.split(" (")[0]})`);
