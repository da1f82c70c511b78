// The dotnet test suites, run one after the other by `npm test` inside `firebase emulators:exec`
// (which sets the emulator host variables). Every suite runs even when an earlier one fails, so QA
// gets every result file; each writes a TRX file to $MEDSECURE_ARTIFACTS/trx.
import { join } from "node:path";
import { log, run } from "./lib.mjs";

// firebase-tools ran with a private temp folder (see privateTmpdir); the tests use the usual one.
if (process.env.MEDSECURE_OUTER_TMPDIR) process.env.TMPDIR = process.env.MEDSECURE_OUTER_TMPDIR;
else delete process.env.TMPDIR;

const artifacts = process.env.MEDSECURE_ARTIFACTS;
const suites = [
  { name: "Paillier", project: "tests/MedSecure.Paillier.Tests", verbosity: "normal" },
  { name: "Web", project: "tests/MedSecure.Web.Tests", verbosity: "normal" },
  { name: "Browser", project: "MedSecure.E2E", verbosity: "detailed" },
  // Two app instances sharing a real redis-server and the Firestore emulator.
  { name: "ScaleOut", project: "tests/MedSecure.ScaleOut.Tests", verbosity: "normal" },
];

let failed = 0;
for (const suite of suites) {
  log(`suite ${suite.name} (${suite.project})`);
  const code = await run("dotnet", [
    "test", suite.project, "-c", "Release", "--no-build",
    "--logger", `console;verbosity=${suite.verbosity}`,
    "--logger", `trx;LogFileName=${suite.name}.trx`,
    "--results-directory", join(artifacts, "trx"),
  ]);
  if (code !== 0) {
    failed++;
    console.error(`[medsecure] suite ${suite.name} FAILED (exit ${code})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
