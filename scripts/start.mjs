// npm start: the Firebase emulators plus the web app wired to them. Ctrl-C stops both.
//   npm start                     Auth + Cloud Firestore emulators when Java 21+ and the emulator jar
//                                 are found, else Auth + the embedded SQLite store
//   MEDSECURE_STORE=firestore|sqlite|rtdb npm start    force a store
//   npm run start:rtdb            Realtime Database emulator (same as MEDSECURE_STORE=rtdb)
//   PORT=5080 npm start           choose the port
//   npm start -- --use-running-emulators
//                                 attach to emulators that already run (FIREBASE_AUTH_EMULATOR_HOST,
//                                 and FIRESTORE_EMULATOR_HOST or FIREBASE_DATABASE_EMULATOR_HOST set,
//                                 e.g. inside `firebase emulators:exec`): the same app and configuration,
//                                 no emulator start, import or export. The browser suite's byte budgets
//                                 run the app this way.
// Emulator data (accounts, Firestore documents) is imported from emulator/data/<store>/ at start
// and exported there on exit, so it lives as long as the SQLite file does.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { join } from "node:path";
import { firestoreEmulatorSetup } from "./firestore-emulator.mjs";
import { chooseStore, emulatorHosts, ensureDotnet, ensureNodeModules, log, projectId, root, run, startEmulators, waitForHttp } from "./lib.mjs";

const port = process.env.PORT ?? "5080";
const url = `http://localhost:${port}`;

const attach = process.argv.includes("--use-running-emulators");

let store;
try {
  store = attach ? runningEmulatorStore() : chooseStore(firestoreEmulatorSetup(), { database: process.argv.includes("--database") });
} catch (error) {
  console.error(`[medsecure] ${error.message}`);
  process.exit(2);
}
log(`storage: ${store.label}`);

/** The store of emulators someone else started, read from the variables firebase-tools sets. */
function runningEmulatorStore() {
  const auth = process.env.FIREBASE_AUTH_EMULATOR_HOST;
  if (!auth) throw new Error("--use-running-emulators needs FIREBASE_AUTH_EMULATOR_HOST (run inside `firebase emulators:exec`, or export the emulator hosts)");
  const firestore = process.env.FIRESTORE_EMULATOR_HOST;
  const database = process.env.FIREBASE_DATABASE_EMULATOR_HOST;
  const base = { forced: true, why: "--use-running-emulators", javaEnv: {}, authHost: auth };
  if (firestore) return { ...base, name: "firestore", provider: "Firestore", appEnv: { FIRESTORE_EMULATOR_HOST: firestore }, label: `running Cloud Firestore emulator at ${firestore}` };
  if (database) return { ...base, name: "rtdb", provider: "RealtimeDatabase", appEnv: { FIREBASE_DATABASE_EMULATOR_HOST: database }, label: `running Realtime Database emulator at ${database}` };
  return { ...base, name: "sqlite", provider: "Sqlite", appEnv: {}, label: "embedded SQLite (MedSecure.Web/App_Data/medsecure.db), running Auth emulator" };
}

/** Stands in for startEmulators() when attached: nothing to start, stop or export. */
function runningEmulators(authHost) {
  return {
    ready: waitForHttp(`http://${authHost}/`, { timeoutMs: 10000 }).catch(() => {
      throw new Error(`no Auth emulator answers at ${authHost}`);
    }),
    exited: new Promise(() => {}),
    stop: async () => ({ ready: true, exported: true, attached: true }),
    kill: () => {},
  };
}
const dataDir = join(root, "emulator", "data", store.name);

ensureNodeModules();
ensureDotnet();
log("building the web app...");
if ((await run("dotnet", ["build", "MedSecure.Web", "-c", "Release", "-v", "quiet", "-nologo"])) !== 0) process.exit(1);

let emulators;
if (attach) {
  log(`using the running emulators (Auth at ${store.authHost}); they are left running on exit`);
  emulators = runningEmulators(store.authHost);
} else {
  log(`starting emulators (${store.emulators}), data in emulator/data/${store.name}/`);
  emulators = startEmulators({ only: store.emulators, dataDir, env: store.javaEnv });
}

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
  if (attach) process.exit(exitCode);
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
    FIREBASE_AUTH_EMULATOR_HOST: attach ? store.authHost : hosts.auth,
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
