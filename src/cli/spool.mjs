// Events a hook could not deliver (server unreachable, too slow, a 5xx) wait in a local spool and are sent
// later, in order, by the next hook that runs. Each event carries its own id, which the server uses to refuse a
// second copy where it can (captured failures); an event leaves the spool only once the server has answered it.
import { createHash, randomUUID } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** A lock older than this was left by a hook that was killed; it is taken over. */
const STALE_LOCK_MS = 30_000;

/** @param {NodeJS.ProcessEnv} env */
export function spoolDirectory(env) {
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "coding-memory", "spool");
}

/**
 * @typedef {{ id: string, kind: string, at: number, body: Record<string, unknown> }} SpooledEvent
 */
export class Spool {
  /**
   * @param {string} directory
   * @param {string} url server
   * @param {string} project
   */
  constructor(directory, url, project) {
    const key = createHash("sha256").update(`${url}\n${project}`).digest("hex").slice(0, 24);
    this.file = join(directory, `${key}.jsonl`);
    this.lock = join(directory, `${key}.lock`);
    this.directory = directory;
  }

  /**
   * @param {string} kind
   * @param {Record<string, unknown>} body
   * @param {string} [id]
   * @returns {SpooledEvent}
   */
  add(kind, body, id = randomUUID()) {
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    const event = { id, kind, at: Date.now(), body };
    // One line per write with O_APPEND: concurrent hooks never interleave within a line.
    appendFileSync(this.file, `${JSON.stringify(event)}\n`, { mode: 0o600 });
    return event;
  }

  /** @returns {SpooledEvent[]} */
  pending() {
    return [...readEvents(this.inFlight()), ...readEvents(this.file)];
  }

  /** The events a flush took out of the spool file: only the flush holding the lock reads or writes it. */
  inFlight() {
    return `${this.file}.flushing`;
  }

  /**
   * Sends pending events in order with `send` until one fails or `deadline` (ms since epoch) passes; what was
   * sent leaves the spool, the rest stays, older than anything added since. Hooks keep appending to the spool
   * file meanwhile: a flush first moves the file aside (an atomic rename), so no append is ever lost. Only one
   * hook flushes at a time (the others leave it).
   * @param {(event: SpooledEvent) => Promise<void>} send throws when the event must stay
   * @param {number} deadline
   * @returns {Promise<{ sent: number, left: number, busy: boolean }>}
   */
  async flush(send, deadline) {
    if (!existsSync(this.file) && !existsSync(this.inFlight())) return { sent: 0, left: 0, busy: false };
    if (!this.takeLock()) return { sent: 0, left: this.pending().length, busy: true };
    let sent = 0;
    try {
      for (;;) {
        if (!existsSync(this.inFlight())) {
          if (!existsSync(this.file)) break;
          renameSync(this.file, this.inFlight());
        }
        const events = readEvents(this.inFlight());
        let done = 0;
        for (const event of events) {
          if (Date.now() >= deadline) break;
          try {
            await send(event);
          } catch {
            break;
          }
          done += 1;
        }
        sent += done;
        if (done < events.length) {
          const temp = `${this.inFlight()}.${process.pid}.tmp`;
          writeFileSync(
            temp,
            events
              .slice(done)
              .map((event) => `${JSON.stringify(event)}\n`)
              .join(""),
            { mode: 0o600 },
          );
          renameSync(temp, this.inFlight());
          break;
        }
        rmSync(this.inFlight(), { force: true });
      }
      return { sent, left: this.pending().length, busy: false };
    } finally {
      rmSync(this.lock, { force: true });
    }
  }

  takeLock() {
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    try {
      closeSync(openSync(this.lock, "wx"));
      return true;
    } catch {
      try {
        if (Date.now() - statSync(this.lock).mtimeMs > STALE_LOCK_MS) {
          rmSync(this.lock, { force: true });
          closeSync(openSync(this.lock, "wx"));
          return true;
        }
      } catch {
        // another hook took it first
      }
      return false;
    }
  }
}

/** @param {string} file @returns {SpooledEvent[]} */
function readEvents(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return []; // a line cut short by a crash mid-write
      }
    });
}

/** Announcements older than this belong to editor sessions long over: they are deleted. */
const ANNOUNCED_KEPT_MS = 3 * 24 * 3_600_000;

/**
 * The files whose lessons were already handed to the model in one editor session: once per file per session,
 * so the conversation is not told the same thing at every edit.
 */
export class Announced {
  /** @param {string} directory the spool's directory @param {string} sessionId the editor's session */
  constructor(directory, sessionId) {
    this.directory = join(directory, "announced");
    this.file = join(this.directory, `${createHash("sha256").update(sessionId).digest("hex").slice(0, 24)}.json`);
  }

  /** @returns {Set<string>} */
  files() {
    try {
      const value = JSON.parse(readFileSync(this.file, "utf8"));
      return new Set(Array.isArray(value) ? value.filter((item) => typeof item === "string") : []);
    } catch {
      return new Set();
    }
  }

  /** @param {string} path */
  has(path) {
    return this.files().has(path);
  }

  /** @param {string} path */
  add(path) {
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify([...this.files(), path]), { mode: 0o600 });
    renameSync(temp, this.file);
  }

  /** Deletes the announcements of sessions over for days (run at a session's start). */
  prune(now = Date.now()) {
    if (!existsSync(this.directory)) return;
    for (const name of readdirSync(this.directory)) {
      const path = join(this.directory, name);
      try {
        if (now - statSync(path).mtimeMs > ANNOUNCED_KEPT_MS) rmSync(path, { force: true });
      } catch {
        // removed meanwhile
      }
    }
  }
}
