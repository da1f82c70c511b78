// npm start: the Auth emulator plus the web app wired to it. Ctrl-C stops both.
//   npm start               embedded SQLite store (default)
//   npm run start:rtdb      also the Realtime Database emulator (Java 21+, internet the first time)
//   PORT=5080 npm start     choose the port
import { ensureDotnet, ensureNodeModules, emulatorList, firebaseBin, log, projectId, run } from "./lib.mjs";

const withDatabase = process.argv.includes("--database") || process.env.MEDSECURE_RTDB === "1";
const port = process.env.PORT ?? "5080";
const url = `http://localhost:${port}`;

ensureNodeModules();
ensureDotnet();
log(`building the web app...`);
if ((await run("dotnet", ["build", "MedSecure.Web", "-c", "Release", "-v", "quiet", "-nologo"])) !== 0) process.exit(1);

const app = `dotnet run --no-build -c Release --project MedSecure.Web --urls ${url}`;
log(`starting emulators (${emulatorList(withDatabase)}) and MedSecure; storage: ${withDatabase ? "Realtime Database emulator" : "embedded SQLite (MedSecure.Web/App_Data)"}`);
log(`MedSecure will be at ${url}  (Ctrl-C stops the app and the emulators)`);
const code = await run(firebaseBin, ["emulators:exec", "--only", emulatorList(withDatabase), "--project", projectId, app], {
  env: { ...process.env, ASPNETCORE_ENVIRONMENT: process.env.ASPNETCORE_ENVIRONMENT ?? "Development", DOTNET_NOLOGO: "1" },
});
process.exit(code);
