// npm test: every suite (unit, integration, browser) inside `firebase emulators:exec`, with the
// Auth and Cloud Firestore emulators when Java 21+ and the emulator jar are found (else Auth only),
// plus a check that emulator data survives a restart the way `npm start` keeps it.
//   MEDSECURE_STORE=firestore|sqlite|rtdb   force a store (rtdb: the Realtime Database emulator;
//                                           MEDSECURE_RTDB=1 is the same)
//   CI=true                                 Firestore tests fail instead of skipping, and a machine
//                                           with Java 21+ and the jar must run them
//   MEDSECURE_ARTIFACTS=DIR                 TRX files, failure traces and screenshots (./artifacts)
// The first and the last line say whether the Firestore emulator ran.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { findJava21, firestoreEmulatorSetup, firestoreJarPresent } from "./firestore-emulator.mjs";
import { chooseStore, chromiumPath, ensureDotnet, ensureNodeModules, firebaseBin, log, privateTmpdir, projectId, root, run, runGroup } from "./lib.mjs";

const ci = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());
let setup;
try {
  setup = firestoreEmulatorSetup();
} catch (error) {
  setup = { ok: false, reason: `the Firestore emulator setup failed: ${error.message}` };
}

let store;
try {
  store = chooseStore(setup);
} catch (error) {
  const line = `Firestore emulator: not available — ${error.message}`;
  log(line);
  log(line);
  process.exit(2);
}
const statusLine = store.name === "firestore"
  ? `Firestore emulator: running (${setup.description}${store.forced ? `; ${store.why}` : ""})`
  : `Firestore emulator: SKIPPED — ${store.name === "rtdb" ? `${store.why}: Realtime Database emulator instead` : store.why}; Firestore contract/rules/browser-on-Firestore suites skipped`;
log(statusLine);

function finish(code, message) {
  if (message) log(message);
  log(statusLine);
  process.exit(code);
}

if (ci && store.name === "sqlite" && !store.forced && findJava21() && firestoreJarPresent()) {
  finish(1, `CI: this machine has Java 21+ and a Firestore emulator jar, but the emulator setup failed (${setup.reason}); a CI run without it does not count`);
}

ensureNodeModules();
ensureDotnet();
const chromium = chromiumPath();
if (!chromium) {
  console.error("Chromium is required for the browser suite: apt-get install chromium (or set MEDSECURE_CHROMIUM).");
  finish(1);
}
log(`browser suite will drive ${chromium}`);

const artifacts = process.env.MEDSECURE_ARTIFACTS || join(root, "artifacts");
// Results of an earlier run would be mistaken for this one's.
for (const folder of ["trx", "failures"]) rmSync(join(artifacts, folder), { recursive: true, force: true });

if ((await run("dotnet", ["build", "MedSecure.sln", "-c", "Release", "-nologo", "-v", "quiet"])) !== 0) finish(1, "the build failed");

const env = { ...process.env, ...store.javaEnv, MEDSECURE_CHROMIUM: chromium, MEDSECURE_ARTIFACTS: artifacts, DOTNET_NOLOGO: "1" };
if (ci && store.name === "firestore") env.MEDSECURE_REQUIRE_FIRESTORE = "1";
// The two-instance suite needs redis-server (Debian's package) and the Firestore emulator; under CI
// with the emulator running, a missing redis-server is a failure rather than a skip.
const redisServer = ["/usr/bin/redis-server", ...(process.env.PATH ?? "").split(":").map((d) => join(d, "redis-server"))].find((p) => existsSync(p));
log(redisServer ? `Redis: ${redisServer} (two-instance suite)` : "Redis: redis-server not installed — the two-instance suite is skipped (apt-get install redis-server)");
if (ci && store.name === "firestore") env.MEDSECURE_REQUIRE_REDIS = "1";
const failures = [];

log(`restart check (emulators: ${store.emulators})`);
if ((await runGroup("node", [join(root, "scripts", "restart-check.mjs")], { env })) !== 0) failures.push("restart check");

// Inside emulators:exec, FIREBASE_AUTH_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST (or the database
// one) are set for the suites. A private temp folder keeps this run's hub apart from other
// emulator suites of the same project on the machine.
log(`running suites against emulators: ${store.emulators}`);
const tmp = privateTmpdir("test");
const code = await runGroup(firebaseBin, ["emulators:exec", "--only", store.emulators, "--project", projectId, `node ${JSON.stringify(join(root, "scripts", "suites.mjs"))}`], {
  env: { ...env, MEDSECURE_OUTER_TMPDIR: process.env.TMPDIR ?? "", TMPDIR: tmp },
});
rmSync(tmp, { recursive: true, force: true });
if (code !== 0) failures.push(`suites (exit ${code})`);

// One line per result file: what ran, what was skipped.
const trxDir = join(artifacts, "trx");
const runOrder = ["Paillier.trx", "Web.trx", "Browser.trx"];
const trxFiles = (existsSync(trxDir) ? readdirSync(trxDir).filter((f) => f.endsWith(".trx")) : [])
  .sort((a, b) => (runOrder.indexOf(a) + 1 || 99) - (runOrder.indexOf(b) + 1 || 99));
for (const file of trxFiles) {
  const counters = /<Counters ([^>]*)\/>/.exec(readFileSync(join(trxDir, file), "utf8"))?.[1] ?? "";
  const count = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(counters)?.[1] ?? 0);
  log(`${file.replace(/\.trx$/, "")}: ${count("passed")} passed, ${count("failed")} failed, ${count("total") - count("executed")} skipped`);
}
log(`test results (TRX): ${relative(root, trxDir) || trxDir}/`);
const failureDir = join(artifacts, "failures");
if (existsSync(failureDir) && readdirSync(failureDir).length > 0) {
  log(`browser failures: Playwright traces and screenshots in ${relative(root, failureDir)}/ (open a trace with: npx playwright show-trace FILE, or https://trace.playwright.dev)`);
}
finish(failures.length === 0 ? 0 : 1, failures.length === 0 ? "all suites passed" : `FAILED: ${failures.join(", ")}`);
