// Checks what `npm start` relies on to keep data across Ctrl-C: the emulators started with
// --import/--export-on-exit on a temp folder, an Auth account (and a Firestore document or a
// Realtime Database value, per store) written over REST, a SIGINT, a new start, and both read back.
// Uses the same emulator start/stop code as `npm start`, on firebase.json's ports.
//   node scripts/restart-check.mjs        (store chosen as for npm start; `npm test` runs it)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firestoreEmulatorSetup } from "./firestore-emulator.mjs";
import { chooseStore, emulatorHosts, log, projectId, startEmulators } from "./lib.mjs";

const store = chooseStore(firestoreEmulatorSetup());
const hosts = emulatorHosts();
const dataDir = join(mkdtempSync(join(tmpdir(), "medsecure-restart-check-")), "data");
const email = `restart-check-${Date.now()}@example.com`;
const password = "restart-check-1";
const marker = `kept ${new Date().toISOString()}`;
const started = Date.now();

const identity = (method) => `http://${hosts.auth}/identitytoolkit.googleapis.com/v1/accounts:${method}?key=emulator`;
const firestoreDoc = (uid) => `http://${hosts.firestore}/v1/projects/${projectId}/databases/(default)/documents/restart-check/${uid}`;
const databaseValue = (uid) => `http://${hosts.database}/restart-check/${uid}.json?ns=${projectId}-default-rtdb`;
const admin = { Authorization: "Bearer owner", "Content-Type": "application/json" };

async function call(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${url}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function session(work) {
  const emulators = startEmulators({ only: store.emulators, dataDir, env: store.javaEnv, quiet: true });
  try {
    await emulators.ready;
    return await work();
  } finally {
    const result = await emulators.stop();
    if (!result.exported) throw new Error(`no "Export complete" from firebase-tools on SIGINT:\n${result.output.slice(-2000)}`);
  }
}

try {
  const uid = await session(async () => {
    const account = await call(identity("signUp"), {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password, returnSecureToken: true }),
    });
    if (store.name === "firestore") {
      await call(firestoreDoc(account.localId), { method: "PATCH", headers: admin, body: JSON.stringify({ fields: { marker: { stringValue: marker } } }) });
    } else if (store.name === "rtdb") {
      await call(databaseValue(account.localId), { method: "PUT", headers: admin, body: JSON.stringify({ marker }) });
    }
    return account.localId;
  });

  await session(async () => {
    const signIn = await call(identity("signInWithPassword"), {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password, returnSecureToken: true }),
    });
    if (signIn.localId !== uid) throw new Error(`signed in as ${signIn.localId}, expected the account made before the restart (${uid})`);
    let kept = null;
    if (store.name === "firestore") kept = (await call(firestoreDoc(uid), { headers: admin })).fields?.marker?.stringValue;
    else if (store.name === "rtdb") kept = (await call(databaseValue(uid), { headers: admin }))?.marker;
    if (store.name !== "sqlite" && kept !== marker) throw new Error(`the stored value after the restart is ${JSON.stringify(kept)}, expected ${JSON.stringify(marker)}`);
  });

  const what = { firestore: "an Auth account and a Firestore document", rtdb: "an Auth account and a Realtime Database value", sqlite: "an Auth account" }[store.name];
  log(`restart check passed: ${what} survived SIGINT and a new start of the emulators (${store.emulators}; ${Math.round((Date.now() - started) / 1000)} s)`);
} catch (error) {
  console.error(`[medsecure] restart check FAILED (${store.emulators}): ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(join(dataDir, ".."), { recursive: true, force: true });
}
