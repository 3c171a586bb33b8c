/**
 * `cargo test` output: the `---- name stdout ----` blocks of failed tests with the panic inside (message and
 * location, in the Rust ≥ 1.73 format and the older one), and panics printed outside a block (--nocapture, binaries).
 */
import {
  type CiFailure,
  claim,
  type Found,
  isBlank,
  lineAt,
  type Location,
  type Log,
  logExcerpt,
  LOOKAHEAD_LINES,
  makeFailure,
  MAX_MESSAGE_LINES,
  repoRelativePath,
  toLineNumber,
} from "./log";

/** A test's captured output is bounded in practice; a block that runs on is a truncated log, not one long failure. */
const MAX_BLOCK_LINES = 5_000;

const CARGO_TEST_BLOCK = /^---- (.+) stdout ----$/;
/** Rust ≥ 1.73: `thread 't' panicked at src/lib.rs:10:5:`; older: `thread 't' panicked at 'msg', src/lib.rs:10:5`. */
const RUST_PANIC = /^thread '(.*?)'(?: \(\d+\))? panicked at (.*)$/;
const RUST_NEW_PANIC_LOCATION = /^(.+):(\d+):(\d+):$/;
const RUST_OLD_PANIC_END = /^(.*)', (\S+):(\d+):(\d+)$/;
const AFTER_RUST_PANIC = /^(?:note: |stack backtrace:)/;

interface RustPanic {
  threadName: string;
  message: string;
  location: Location | null;
  end: number;
}

export function readRustPanic(log: Log, start: number, limit: number): RustPanic | null {
  const match = RUST_PANIC.exec(lineAt(log, start));
  if (!match) return null;
  const threadName = match[1] ?? "";
  const rest = match[2] ?? "";
  const newLocation = RUST_NEW_PANIC_LOCATION.exec(rest);
  if (newLocation) {
    const messageLines: string[] = [];
    let index = start + 1;
    for (; index < limit && messageLines.length < MAX_MESSAGE_LINES; index++) {
      const line = lineAt(log, index);
      if (isBlank(line) || AFTER_RUST_PANIC.test(line)) break;
      messageLines.push(line.trim());
    }
    return {
      threadName,
      message: messageLines.join("\n"),
      location: { filePath: repoRelativePath(newLocation[1] ?? ""), lineNumber: toLineNumber(newLocation[2]) },
      end: index,
    };
  }
  if (rest.startsWith("'")) {
    const messageLines: string[] = [];
    for (let index = start; index < limit && index < start + LOOKAHEAD_LINES; index++) {
      const text = index === start ? rest.slice(1) : lineAt(log, index);
      const close = RUST_OLD_PANIC_END.exec(text);
      if (close) {
        messageLines.push(close[1] ?? "");
        return {
          threadName,
          message: messageLines.map((line) => line.trim()).join("\n"),
          location: { filePath: repoRelativePath(close[2] ?? ""), lineNumber: toLineNumber(close[3]) },
          end: index + 1,
        };
      }
      messageLines.push(text);
    }
  }
  return { threadName, message: rest, location: null, end: start + 1 };
}

function isCargoBlockEnd(line: string): boolean {
  return CARGO_TEST_BLOCK.test(line) || line === "failures:" || line.startsWith("test result: ");
}

export function parseCargoTest(log: Log): Found[] {
  const found: Found[] = [];
  for (let index = 0; index < log.lines.length; index++) {
    const line = lineAt(log, index);
    const block = line.startsWith("---- ") ? CARGO_TEST_BLOCK.exec(line) : null;
    if (block) {
      let end = index + 1;
      while (end < log.lines.length && end < index + MAX_BLOCK_LINES && !isCargoBlockEnd(lineAt(log, end))) end++;
      found.push({ line: index, failure: cargoBlockFailure(log, index, end, block[1] ?? "") });
      claim(log, index, end);
      index = end - 1;
      continue;
    }
    if (log.claimed[index] === 1 || !line.startsWith("thread '")) continue;
    // With --nocapture, or outside tests, a panic is printed where it happens rather than in a block.
    const panic = readRustPanic(log, index, log.lines.length);
    if (!panic) continue;
    let end = panic.end;
    while (end < log.lines.length && end < panic.end + 60 && !isBlank(lineAt(log, end))) end++;
    const isTestThread = panic.threadName !== "main" && panic.threadName !== "<unnamed>";
    found.push({
      line: index,
      failure: makeFailure("cargo-test", {
        errorType: "panic",
        message: panic.message,
        stackTrace: logExcerpt(log, index, end),
        location: panic.location,
        testName: isTestThread ? panic.threadName : null,
      }),
    });
    claim(log, index, end);
    index = end - 1;
  }
  return found;
}

function cargoBlockFailure(log: Log, header: number, end: number, testName: string): CiFailure {
  const stackTrace = logExcerpt(log, header + 1, end);
  for (let index = header + 1; index < end; index++) {
    if (!lineAt(log, index).startsWith("thread '")) continue;
    const panic = readRustPanic(log, index, end);
    if (panic) {
      return makeFailure("cargo-test", {
        errorType: "panic",
        message: panic.message,
        stackTrace,
        location: panic.location,
        testName,
      });
    }
  }
  // e.g. `note: test did not panic as expected` for a #[should_panic] test.
  const firstLine = log.lines.slice(header + 1, end).find((line) => !isBlank(line)) ?? "";
  return makeFailure("cargo-test", {
    errorType: null,
    message: firstLine.trim() || `${testName} failed`,
    stackTrace,
    testName,
  });
}
