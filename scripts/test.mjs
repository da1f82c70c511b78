// npm test: every suite (unit, integration, browser) with the Auth emulator started and stopped
// around them. MEDSECURE_RTDB=1 also starts the Realtime Database emulator (Java 21+), so the
// storage contract suite and the browser suite run against it instead of the embedded store.
import { chromiumPath, ensureDotnet, ensureNodeModules, emulatorList, firebaseBin, log, projectId, run } from "./lib.mjs";

const withDatabase = process.env.MEDSECURE_RTDB === "1";
ensureNodeModules();
ensureDotnet();
const chromium = chromiumPath();
if (!chromium) {
  console.error("Chromium is required for the browser suite: apt-get install chromium (or set MEDSECURE_CHROMIUM).");
  process.exit(1);
}
log(`browser suite will drive ${chromium}`);

if ((await run("dotnet", ["build", "MedSecure.sln", "-c", "Release", "-nologo", "-v", "quiet"])) !== 0) process.exit(1);

// Inside emulators:exec, FIREBASE_AUTH_EMULATOR_HOST (and the database one, if started) are set.
const suites = [
  "dotnet test tests/MedSecure.Paillier.Tests -c Release --no-build --logger 'console;verbosity=normal'",
  "dotnet test tests/MedSecure.Web.Tests -c Release --no-build --logger 'console;verbosity=normal'",
  "dotnet test MedSecure.E2E -c Release --no-build --logger 'console;verbosity=detailed'",
].join(" && ");
log(`running suites against emulators: ${emulatorList(withDatabase)}`);
const code = await run(firebaseBin, ["emulators:exec", "--only", emulatorList(withDatabase), "--project", projectId, suites], {
  env: { ...process.env, MEDSECURE_CHROMIUM: chromium, DOTNET_NOLOGO: "1" },
});
log(code === 0 ? "all suites passed" : `a suite failed (exit ${code})`);
process.exit(code);
