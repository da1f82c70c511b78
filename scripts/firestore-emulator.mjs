// Finding what the Cloud Firestore emulator needs: a Java 21+ runtime (firebase-tools refuses older)
// and the emulator jar. firebase-tools downloads its own jar where there is internet; where there
// is none, the Google Cloud CLI's Debian package ships one without a Main-Class, so a tiny wrapper
// jar (manifest only) is built here and handed to firebase-tools via FIRESTORE_EMULATOR_BINARY_PATH.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { root } from "./lib.mjs";

const mainClass = "com.google.cloud.datastore.emulator.firestore.CloudFirestore";
const gcloudJars = [
  "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar",
  "/usr/share/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar",
];

function javaMajor(javaBin) {
  const result = spawnSync(javaBin, ["-version"], { encoding: "utf8" });
  if (result.status !== 0) return 0;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  if (!match) return 0;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

/** A Java 21+ home: JAVA_HOME, the java on PATH, or a JDK under /usr/lib/jvm (newest first). */
export function findJava21() {
  const candidates = [];
  if (process.env.JAVA_HOME) candidates.push(process.env.JAVA_HOME);
  const onPath = spawnSync("sh", ["-c", "command -v java"], { encoding: "utf8" }).stdout.trim();
  if (onPath) {
    const real = spawnSync("readlink", ["-f", onPath], { encoding: "utf8" }).stdout.trim();
    if (real) candidates.push(join(real, "..", ".."));
  }
  if (existsSync("/usr/lib/jvm")) {
    for (const dir of readdirSync("/usr/lib/jvm").sort().reverse()) candidates.push(join("/usr/lib/jvm", dir));
  }
  for (const home of candidates) {
    const bin = join(home, "bin", "java");
    if (!existsSync(bin)) continue;
    const major = javaMajor(bin);
    if (major >= 21) return { home, bin, major };
  }
  return null;
}

/** firebase-tools' own downloaded jar, if a previous run with internet fetched one. */
function downloadedJar() {
  const cache = join(homedir(), ".cache", "firebase", "emulators");
  if (!existsSync(cache)) return null;
  const jar = readdirSync(cache).filter((f) => /^cloud-firestore-emulator-v.*\.jar$/.test(f)).sort().pop();
  return jar ? join(cache, jar) : null;
}

/** Whether some Firestore emulator jar is on this machine (no wrapper is built). */
export function firestoreJarPresent() {
  return Boolean(process.env.FIRESTORE_EMULATOR_BINARY_PATH || downloadedJar() || gcloudJars.some((jar) => existsSync(jar)));
}

/**
 * What firebase-tools needs to start the Firestore emulator, or why it cannot:
 * { ok: true, env: {...}, description } or { ok: false, reason }.
 */
export function firestoreEmulatorSetup() {
  const java = findJava21();
  if (!java) return { ok: false, reason: "no Java 21+ runtime found (JAVA_HOME, PATH, /usr/lib/jvm)" };
  const env = {
    JAVA_HOME: java.home,
    PATH: `${join(java.home, "bin")}:${process.env.PATH ?? ""}`,
    // The emulator's heap grows to ~700 MB over a long run; this keeps it near 280 MB.
    JAVA_TOOL_OPTIONS: process.env.JAVA_TOOL_OPTIONS ?? "-Xmx256m -XX:+UseSerialGC",
  };
  if (process.env.FIRESTORE_EMULATOR_BINARY_PATH) {
    return { ok: true, env, description: `Java ${java.major}, FIRESTORE_EMULATOR_BINARY_PATH` };
  }
  const downloaded = downloadedJar();
  if (downloaded) return { ok: true, env, description: `Java ${java.major}, firebase-tools' jar` };
  const gcloud = gcloudJars.find((jar) => existsSync(jar));
  if (!gcloud) {
    return { ok: false, reason: `Java ${java.major} found, but no Firestore emulator jar (firebase-tools cache or google-cloud-cli-firestore-emulator)` };
  }
  const wrapper = buildWrapperJar(gcloud);
  return { ok: true, env: { ...env, FIRESTORE_EMULATOR_BINARY_PATH: wrapper }, description: `Java ${java.major}, Google Cloud CLI jar via wrapper` };
}

/** A jar holding only a manifest that names the emulator's main class and the real jar. */
function buildWrapperJar(targetJar) {
  const dir = join(root, "emulator", ".cache");
  mkdirSync(dir, { recursive: true });
  const wrapper = join(dir, "firestore-emulator-wrapper.jar");
  const manifest = `Manifest-Version: 1.0\r\nMain-Class: ${mainClass}\r\nClass-Path: file:${targetJar}\r\n\r\n`;
  writeFileSync(wrapper, storedZip("META-INF/MANIFEST.MF", Buffer.from(manifest, "utf8")));
  return wrapper;
}

/** A one-entry, uncompressed zip: enough for a manifest-only jar, no JDK tools needed. */
function storedZip(name, data) {
  const nameBytes = Buffer.from(name, "utf8");
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(10, 4); local.writeUInt16LE(0, 6);
  local.writeUInt16LE(0, 8); local.writeUInt32LE(0x00210000, 10); local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26); local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(10, 6);
  central.writeUInt16LE(0, 8); central.writeUInt16LE(0, 10); central.writeUInt32LE(0x00210000, 12);
  central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28); central.writeUInt32LE(0, 30); central.writeUInt32LE(0, 34);
  central.writeUInt32LE(0, 38); central.writeUInt32LE(0, 42);
  const centralOffset = local.length + nameBytes.length + data.length;
  const centralSize = central.length + nameBytes.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12); end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

function crc32(data) {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
