/** A live API for the tests: uvicorn on a free loopback port over a fresh seeded SQLite file. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// dist/test/server.js -> the repository root, where alembic.ini and the app are.
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const ADMIN_KEY = "ge_typescript-client-tests-admin-key";

export interface LiveServer {
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startServer(): Promise<LiveServer> {
  const python = process.env["GEOEVENTS_PYTHON"] ?? join(ROOT, ".venv", "bin", "python");
  const dir = mkdtempSync(join(tmpdir(), "geoevents-client-"));
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite:///${join(dir, "geoevents.db")}`,
    GEOEVENTS_ADMIN_KEY: ADMIN_KEY,
    ACCESS_LOG: "false",
    CORS_ORIGINS: "",
    REQUIRE_KEY_FOR_READS: "false",
  };
  for (const args of [["-m", "alembic", "upgrade", "head"], ["-m", "seed"]]) {
    const done = spawnSync(python, args, { cwd: ROOT, env, encoding: "utf-8" });
    if (done.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${args.join(" ")} failed: ${done.stderr || done.error}`);
    }
  }
  const port = await freePort();
  const server = spawn(
    python,
    ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", String(port), "--no-access-log"],
    { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  server.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess(server);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${baseUrl}/ready`, server);
  } catch (error) {
    await stop();
    throw new Error(`the server did not start: ${String(error)}\n${stderr}`);
  }
  return { baseUrl, stop };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`uvicorn exited with ${server.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

function stopProcess(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => server.kill("SIGKILL"), 10_000);
    server.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    server.kill("SIGTERM");
  });
}
