// A storekeep binary built from this checkout, its command line, and
// servers started from it on 127.0.0.1.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// build compiles ./cmd/storekeep into a fresh temporary directory and
// returns a workspace holding the binary; remove() deletes it all.
export async function build() {
  const dir = await mkdtemp(path.join(tmpdir(), 'storekeep-e2e-'));
  const bin = path.join(dir, 'storekeep');
  await run('go', ['build', '-o', bin, './cmd/storekeep'], { cwd: repoRoot, maxBuffer: 16 << 20 });
  return {
    dir,
    bin,
    // cli runs a command such as 'shop create' against db and returns
    // its stdout.
    async cli(db, command, ...flags) {
      const { stdout } = await run(bin, [...command.split(' '), '--db', db, ...flags], { cwd: dir });
      return stdout.trim();
    },
    async remove() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// serve starts `storekeep serve` on a free port of 127.0.0.1 with extra
// flags and resolves once it listens. stop() ends it and waits for it.
export async function serve(workspace, db, ...flags) {
  const child = spawn(workspace.bin, ['serve', '--db', db, '--addr', '127.0.0.1:0', '--admin-addr', '127.0.0.1:0', ...flags], {
    cwd: workspace.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (b) => { stderr += b; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`storekeep did not start in 60s:\n${stderr}`)), 60_000);
    child.stdout.on('data', (b) => {
      stdout += b;
      const m = /storekeep listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`storekeep exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    base,
    logs: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
