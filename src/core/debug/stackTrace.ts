/**
 * Stack traces and compiler diagnostics as the user pastes or selects them: terminal output with colour
 * codes, Windows paths, chained exceptions. The parser finds where the error happened (frames) and what
 * it says (message); which frames are in the user's code is decided later, by resolving them against the
 * workspace, but frames in dependencies and runtimes are marked here so the caller can prefer the rest.
 *
 * Frames are innermost first in every language (the frame that raised comes first), although Python
 * prints them the other way round: the debug request gives the first user frames the most room.
 */

/** The format the text was read as. Compiler and linter output (tsc, eslint, rustc, gcc style) is `diagnostics`. */
export type TraceLanguage = 'javascript' | 'python' | 'go' | 'java' | 'rust' | 'diagnostics' | 'unknown';

export interface StackFrame {
  /** The path as printed (a `file://` URL becomes a path); Windows separators are kept. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, when the format gives one. */
  column?: number;
  /** As printed: `Foo.bar`, `main.(*T).Run`, `com.example.App.main` (Java frames keep the class, which locates the file). */
  functionName?: string;
  /** In a dependency, the standard library or the runtime: listed for the model, not expanded. */
  library: boolean;
  /** Runtime code with no file the user could open (`node:internal/…`, `<frozen importlib._bootstrap>`). */
  internal?: boolean;
  /** A diagnostic's own text at this location (compiler and linter output). */
  message?: string;
  /** The line(s) the frame was read from, colour codes removed. */
  raw: string;
}

export interface ParsedError {
  /** What went wrong: `TypeError: x is undefined`, Python's last line, `panic: …`, the first diagnostic. */
  message: string;
  /** Innermost first. */
  frames: StackFrame[];
  language: TraceLanguage;
  /** Earlier errors in a chain (Python's "During handling…", Java's "Caused by:", Node's `[cause]`), as printed. */
  causes: string[];
}

/** The longest message kept: a test assertion's diff can run to pages, and the frames matter more. */
const MAX_MESSAGE_CHARS = 4000;
/**
 * Lines are cut to this length before matching and only the last MAX_LINES are read: a selection can hold
 * a minified bundle or a whole log, some patterns backtrack quadratically in a line's length, and the
 * crash is at the end of a terminal's output.
 */
const MAX_LINE_CHARS = 2000;
const MAX_LINES = 10_000;

// CSI sequences (colours, cursor moves) and OSC sequences (terminal hyperlinks, window titles).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u009b[0-?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Reads a stack trace or a block of diagnostics; text with no frames gives `unknown` and its first line as message. */
export function parseStackTrace(text: string): ParsedError {
  const clean = stripAnsi(text).replace(/\r\n?/g, '\n');
  const lines = clean
    .split('\n')
    .slice(-MAX_LINES)
    .map((line) => (line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line));
  for (const parser of parsersFor(clean, lines)) {
    const parsed = parser(lines);
    if (parsed.frames.length > 0) return { ...parsed, message: clip(parsed.message) };
  }
  const first = lines.map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  return { message: clip(first), frames: [], language: 'unknown', causes: [] };
}

type Parser = (lines: readonly string[]) => ParsedError;

/**
 * The parsers to try, most likely first. Markers decide where they are unambiguous (a Python traceback
 * header, a goroutine list, a Rust panic); otherwise Java frames are told from JavaScript ones by their
 * shape (`at a.B.c(B.java:3)` against `at c (/b.js:3:1)`), and diagnostics come last.
 */
function parsersFor(text: string, lines: readonly string[]): Parser[] {
  const order: Parser[] = [];
  if (/Traceback \(most recent call last\):|^\s*File "[^"]+", line \d+/m.test(text)) order.push(parsePython);
  if (/^--- FAIL: /m.test(text) || /^goroutine \d+ \[[^\]]+\]:$/m.test(text) || (/^(?:panic|fatal error): /m.test(text) && /\.go:\d+/.test(text))) order.push(parseGo);
  if (/panicked at /.test(text)) order.push(parseRust);
  if (lines.some((l) => JAVA_FRAME.test(l))) order.push(parseJava);
  if (/^E {2,}\S/m.test(text) && /^\S+\.py:\d+: /m.test(text)) order.push(parsePytest);
  order.push(parseJavaScript, parseDiagnostics, parsePytest);
  return [...new Set(order)];
}

// ---------------------------------------------------------------------------------------------------
// JavaScript (V8: Node, Chrome, Deno, Bun; plus the `fn@url:1:2` form of Firefox and Safari).

// Node ends the last frame of an error that has properties with ` {` (`[cause]`, `code`) and prints those below.
const V8_FRAME = /^\s*at (?:(.+?) )?\((.+)\)(?:\s*\{)?\s*$/;
const V8_BARE_FRAME = /^\s*at (?:async )?(\S.*?):(\d+):(\d+)(?:\s*\{)?\s*$/;
const GECKO_FRAME = /^\s*([^@\s]*)@((?:https?|file|webpack|blob):\/\/.+?|\/.+?):(\d+):(\d+)\s*$/;
// vitest and jest print the failing test's location on its own line.
const RUNNER_LOCATION = /^\s*(?:❯|›|>)\s+((?:[A-Za-z]:)?[^\s:]+\.[cm]?[jt]sx?):(\d+):(\d+)\s*$/;
const JS_ERROR_HEAD = /^\s*(?:Uncaught\s+)?(?:[\w$.]*(?:Error|Exception|Rejection|Failure)|Error|AssertionError)(?:\s*\[[\w-]+\])?(?::|\s*$)/;

function parseJavaScript(lines: readonly string[]): ParsedError {
  const frames: StackFrame[] = [];
  const causes: string[] = [];
  let firstFrameIndex = -1;
  lines.forEach((line, index) => {
    const frame = javaScriptFrame(line);
    if (frame) {
      if (firstFrameIndex < 0) firstFrameIndex = index;
      frames.push(frame);
      return;
    }
    const cause = /^\s*\[cause\]: (.+)$/.exec(line);
    if (cause) causes.push(cause[1]!.replace(/\s*\{\s*$/, '').trim());
  });
  const message = firstFrameIndex < 0 ? '' : messageBefore(lines, firstFrameIndex, JS_ERROR_HEAD);
  return { message, frames, language: 'javascript', causes };
}

function javaScriptFrame(line: string): StackFrame | undefined {
  const raw = line.trim();
  let fn: string | undefined;
  let location: string;
  const wrapped = V8_FRAME.exec(line);
  if (wrapped) {
    fn = wrapped[1];
    location = wrapped[2]!;
    // `at eval (eval at run (/app/x.js:3:9), <anonymous>:1:1)`: the eval's own place is the one with a file.
    if (location.startsWith('eval at ')) location = /\(([^()]+:\d+:\d+)\)/.exec(location)?.[1] ?? location;
  } else {
    const bare = V8_BARE_FRAME.exec(line);
    const gecko = bare ? undefined : GECKO_FRAME.exec(line);
    const runner = bare || gecko ? undefined : RUNNER_LOCATION.exec(line);
    if (bare) location = `${bare[1]}:${bare[2]}:${bare[3]}`;
    else if (gecko) {
      fn = gecko[1] || undefined;
      location = `${gecko[2]}:${gecko[3]}:${gecko[4]}`;
    } else if (runner) location = `${runner[1]}:${runner[2]}:${runner[3]}`;
    else return undefined;
  }
  const place = /^(.+?):(\d+)(?::(\d+))?$/.exec(location.trim());
  if (!place) return undefined; // `<anonymous>`, `native`, `index 0`: no place to show.
  const file = fromFileUrl(place[1]!);
  const internal = /^node:|^internal[\\/]|^<anonymous>$|^evalmachine\./.test(file);
  const functionName = fn?.replace(/^async /, '').trim() || undefined;
  return {
    file,
    line: Number(place[2]),
    ...(place[3] ? { column: Number(place[3]) } : {}),
    ...(functionName ? { functionName } : {}),
    library: internal || isLibraryPath(file),
    ...(internal ? { internal } : {}),
    raw,
  };
}

// ---------------------------------------------------------------------------------------------------
// Python tracebacks, chained ones included.

const PY_FRAME = /^\s*File "(.+)", line (\d+)(?:, in (.+))?\s*$/;
const PY_CHAIN = /^(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)\s*$/;

function parsePython(lines: readonly string[]): ParsedError {
  // One segment per traceback in the chain; the last one is the exception the program died of.
  const segments: Array<{ frames: StackFrame[]; message: string }> = [];
  let current: { frames: StackFrame[]; message: string } | undefined;
  let afterFrames = false;
  for (const line of lines) {
    if (/^\s*Traceback \(most recent call last\):\s*$/.test(line)) {
      current = { frames: [], message: '' };
      segments.push(current);
      afterFrames = false;
      continue;
    }
    const m = PY_FRAME.exec(line);
    if (m) {
      if (!current) {
        current = { frames: [], message: '' };
        segments.push(current);
      }
      const file = m[1]!;
      const internal = /^<.*>$/.test(file);
      current.frames.push({
        file,
        line: Number(m[2]),
        ...(m[3] ? { functionName: m[3].trim() } : {}),
        library: internal || isLibraryPath(file),
        ...(internal ? { internal } : {}),
        raw: line.trim(),
      });
      afterFrames = true;
      continue;
    }
    if (!current || !afterFrames || PY_CHAIN.test(line.trim())) continue;
    // The exception line is the first one back at the left margin after the frames (code lines and
    // 3.11's `^^^^` markers are indented); anything up to a blank line continues it.
    if (!current.message) {
      if (line.trim() && !/^\s/.test(line)) current.message = line.trim();
    } else if (line.trim() && !/^\s*Traceback /.test(line)) {
      current.message += `\n${line.trimEnd()}`;
    } else {
      afterFrames = false;
    }
  }
  const last = segments.at(-1);
  const frames = [...segments].reverse().flatMap((s) => [...s.frames].reverse());
  return {
    message: last?.message ?? '',
    frames,
    language: 'python',
    causes: segments.slice(0, -1).map((s) => s.message).filter(Boolean),
  };
}

// pytest's short form: `tests/test_parse.py:12: in test_parse` and `src/parse.py:4: ValueError`.
const PYTEST_LOCATION = /^((?:[A-Za-z]:)?[^\s:]+\.py):(\d+): (.+)$/;

function parsePytest(lines: readonly string[]): ParsedError {
  const frames: StackFrame[] = [];
  let message = '';
  for (const line of lines) {
    const e = /^E\s{2,}(.+)$/.exec(line);
    if (e && !message) message = e[1]!.trim();
    const m = PYTEST_LOCATION.exec(line.trim());
    if (!m) continue;
    const fn = /^in (\S+)$/.exec(m[3]!)?.[1];
    frames.push({
      file: m[1]!,
      line: Number(m[2]),
      ...(fn ? { functionName: fn } : {}),
      library: isLibraryPath(m[1]!),
      raw: line.trim(),
    });
  }
  // pytest prints the test first and the place that raised last.
  frames.reverse();
  return { message: message || (frames[0] ? PYTEST_LOCATION.exec(frames[0].raw)?.[3] ?? '' : ''), frames, language: 'python', causes: [] };
}

// ---------------------------------------------------------------------------------------------------
// Go panics and fatal errors (and `go test` failure lines).

// Tab-indented as Go prints it; copied out of some terminals the tab is spaces.
const GO_LOCATION = /^(?:\t|\s{2,})((?:[A-Za-z]:)?\S[^\t]*?\.(?:go|s)):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;
const GO_TEST_FAILURE = /^\s+([\w.-]+_test\.go):(\d+): (.+)$/;

function parseGo(lines: readonly string[]): ParsedError {
  const frames: StackFrame[] = [];
  let message = '';
  lines.forEach((line, index) => {
    const head = /^(panic|fatal error): (.+)$/.exec(line);
    // A panic re-raised by a deferred recover prints `[recovered]` and the panic again, indented, below.
    if (head && !message) message = line.trim().replace(/ \[recovered\]$/, '');
    const testFailure = GO_TEST_FAILURE.exec(line);
    if (testFailure) {
      frames.push({ file: testFailure[1]!, line: Number(testFailure[2]), message: testFailure[3]!, library: false, raw: line.trim() });
      if (!message) message = testFailure[3]!;
      return;
    }
    const location = GO_LOCATION.exec(line);
    if (!location) return;
    const call = index > 0 ? lines[index - 1]! : '';
    const functionName = goFunctionName(call);
    const file = location[1]!;
    frames.push({
      file,
      line: Number(location[2]),
      ...(functionName ? { functionName } : {}),
      library: isGoLibrary(file, functionName),
      raw: `${call.trim()}\n${line.trim()}`.trim(),
    });
  });
  return { message, frames, language: 'go', causes: [] };
}

/** `main.(*Server).handle(0xc000010000, {0x1, 0x2})` → `main.(*Server).handle`; `created by main.main in goroutine 1` → `main.main`. */
function goFunctionName(call: string): string | undefined {
  const created = /^created by (\S+?)(?: in goroutine \d+)?\s*$/.exec(call);
  if (created) return created[1];
  const m = /^(\S.*?)\((?:[^()]*|\.\.\.)\)\s*$/.exec(call);
  return m?.[1];
}

// Where Go installs put GOROOT: official tarball and Docker images, distro packages, Homebrew, `golang.org/dl`,
// GitHub Actions, Windows. Not any `go/src/`: GOPATH-mode projects live under one too.
const GOROOTS: readonly RegExp[] = [
  /^\/usr\/local\/go\/src\//,
  /^\/usr\/lib\/go(?:lang|-[\d.]+)?\/src\//,
  /\/Cellar\/go(?:@[\d.]+)?\/[^/]+\/libexec\/src\//,
  /\/sdk\/go[\d.]+\/src\//,
  /\/hostedtoolcache\/go\//,
  /\/\.goenv\/versions\//,
  /^[A-Za-z]:\/(?:Program Files\/)?Go\/src\//i,
];

function isGoLibrary(file: string, functionName: string | undefined): boolean {
  const path = file.replace(/\\/g, '/');
  if (isLibraryPath(file) || /\/pkg\/mod\//.test(path)) return true;
  if (GOROOTS.some((root) => root.test(path))) return true;
  return /^(?:runtime|testing|reflect|sync|syscall)\./.test(functionName ?? '');
}

// ---------------------------------------------------------------------------------------------------
// Java, Kotlin, Scala, Groovy.

// `at com.example.App.main(App.java:10)`, `at java.base/java.util.ArrayList.get(ArrayList.java:427)`,
// `at app//com.example.App.run(App.kt:5)`, logback's `~[app.jar:1.0]` suffix.
const JAVA_FRAME = /^\s*at\s+(?:[\w.$@-]*\/\/?)?([\w$]+(?:\.[\w$<>-]+)+)\(([^()]*)\)(?:\s+~?\[[^\]]*\])?\s*$/;
const JAVA_LIBRARY_CLASSES = /^(?:java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|groovy|org\.junit|junit|org\.gradle|org\.springframework|io\.netty|reactor)\./;

function parseJava(lines: readonly string[]): ParsedError {
  const frames: StackFrame[] = [];
  const causes: string[] = [];
  let message = '';
  let firstFrameIndex = -1;
  lines.forEach((line, index) => {
    const thread = /^Exception in thread "[^"]*" (.+)$/.exec(line);
    if (thread && !message) message = thread[1]!.trim();
    const cause = /^\s*(?:Caused by|Suppressed): (.+)$/.exec(line);
    if (cause) causes.push(cause[1]!.trim());
    const m = JAVA_FRAME.exec(line);
    if (!m) return;
    if (firstFrameIndex < 0) firstFrameIndex = index;
    const place = /^(.+?):(\d+)$/.exec(m[2]!.trim());
    if (!place) return; // `Native Method`, `Unknown Source`.
    const functionName = m[1]!;
    const modulePrefix = /^\s*at\s+([\w.$@-]+)\//.exec(line)?.[1] ?? '';
    frames.push({
      file: place[1]!,
      line: Number(place[2]),
      functionName,
      library: JAVA_LIBRARY_CLASSES.test(functionName) || /^(?:java|jdk)\./.test(modulePrefix),
      raw: line.trim(),
    });
  });
  if (!message && firstFrameIndex >= 0) message = messageBefore(lines, firstFrameIndex, /^\s*(?:[\w$]+\.)*[\w$]*(?:Exception|Error|Throwable)\b/);
  return { message, frames, language: 'java', causes };
}

// ---------------------------------------------------------------------------------------------------
// Rust panics and backtraces.

function parseRust(lines: readonly string[]): ParsedError {
  const frames: StackFrame[] = [];
  let message = '';
  let inBacktrace = false;
  let pendingFunction: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // 1.73+: `thread 'main' panicked at src/main.rs:5:10:` and the message on the lines below.
    const modern = /^thread '([^']*)' panicked at (.+?):(\d+):(\d+):\s*$/.exec(line);
    // Before 1.73: `thread 'main' panicked at 'message', src/main.rs:5:10`.
    // The quoted message may span lines (assertion diffs): read on to the line that closes it with the place.
    let legacy: RegExpExecArray | null | undefined;
    if (!modern && /^thread '[^']*' panicked at '/.test(line)) {
      for (let j = i; j < lines.length && j < i + 40 && !legacy; j++) {
        legacy = /^thread '([^']*)' panicked at '([\s\S]*)', (.+?):(\d+):(\d+)\s*$/.exec(lines.slice(i, j + 1).join('\n'));
        if (legacy) i = j;
      }
    }
    if (modern || legacy) {
      const [file, lineNo, column] = modern ? [modern[2]!, modern[3]!, modern[4]!] : [legacy![3]!, legacy![4]!, legacy![5]!];
      frames.push({ file, line: Number(lineNo), column: Number(column), library: isLibraryPath(file), raw: line.trim() });
      if (!message) {
        if (legacy) message = legacy[2]!;
        else {
          const body: string[] = [];
          for (let j = i + 1; j < lines.length; j++) {
            const next = lines[j]!;
            if (!next.trim() || /^(?:note: |stack backtrace:)/.test(next)) break;
            body.push(next.trimEnd());
          }
          message = body.join('\n');
        }
      }
      continue;
    }
    if (/^stack backtrace:\s*$/.test(line)) {
      inBacktrace = true;
      continue;
    }
    if (!inBacktrace) continue;
    // `   2: myapp::parse` or, with RUST_BACKTRACE=full, `   2:     0x1004a5c1c - myapp::parse::h3e0c…`.
    const fn = /^\s*\d+:\s+(?:0x[0-9a-f]+ - )?(.+?)\s*$/.exec(line);
    if (fn) {
      pendingFunction = fn[1]!.replace(/::h[0-9a-f]{16}$/, '');
      continue;
    }
    const at = /^\s+at (.+?):(\d+)(?::(\d+))?\s*$/.exec(line);
    if (at) {
      const file = at[1]!;
      const frame: StackFrame = {
        file,
        line: Number(at[2]),
        ...(at[3] ? { column: Number(at[3]) } : {}),
        ...(pendingFunction ? { functionName: pendingFunction } : {}),
        library: isLibraryPath(file) || /^(?:<?(?:std|core|alloc)::|rust_begin_unwind|__rust)/.test(pendingFunction ?? ''),
        raw: `${pendingFunction ?? ''}\n${line.trim()}`.trim(),
      };
      // The panic's own place usually reappears in the backtrace: give it the function name instead of a twin.
      const twin = frames.find((f) => !f.functionName && sameRustPath(f.file, file) && f.line === frame.line && f.column === frame.column);
      if (twin && frame.functionName) twin.functionName = frame.functionName;
      else frames.push(frame);
    }
  }
  return { message, frames, language: 'rust', causes: [] };
}

function sameRustPath(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\.\//, '');
  return norm(a) === norm(b) || norm(b).endsWith(`/${norm(a)}`);
}

// ---------------------------------------------------------------------------------------------------
// Compiler and linter diagnostics.

const PATH = String.raw`((?:[A-Za-z]:[\\/])?[^\s:()"'<>|]*[^\s:()"'<>|.]\.[A-Za-z][\w]*)`;
// tsc: `src/a.ts(12,5): error TS2322: Type …`
const TSC_PAREN = new RegExp(String.raw`^\s*${PATH}\((\d+),(\d+)\): (.+)$`);
// tsc --pretty: `src/a.ts:12:5 - error TS2322: Type …`
const TSC_PRETTY = new RegExp(String.raw`^\s*${PATH}:(\d+):(\d+) - (.+)$`);
// gcc, clang, go build, mypy, eslint's unix formatter: `src/a.c:12:5: error: …`, `./main.go:3:2: undefined: x`.
const GNU = new RegExp(String.raw`^\s*${PATH}:(\d+)(?::(\d+))?:\s+(.+)$`);
// rustc: `  --> src/main.rs:4:18`, under an `error[E0308]: …` line.
const RUSTC_ARROW = new RegExp(String.raw`^\s*--> ${PATH}:(\d+):(\d+)\s*$`);
// eslint's default (stylish) formatter: the file alone on a line, then `  12:5  error  message  rule`.
const STYLISH_ENTRY = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.+?)\s*$/;

function parseDiagnostics(lines: readonly string[]): ParsedError {
  const frames: StackFrame[] = [];
  let stylishFile: string | undefined;
  let lastHeading = '';
  for (const line of lines) {
    const trimmed = line.trim();
    const paren = TSC_PAREN.exec(line) ?? TSC_PRETTY.exec(line);
    const gnu = paren ? undefined : GNU.exec(line);
    const arrow = paren || gnu ? undefined : RUSTC_ARROW.exec(line);
    const stylish = paren || gnu || arrow || !stylishFile ? undefined : STYLISH_ENTRY.exec(line);
    if (paren || gnu) {
      const m = (paren ?? gnu)!;
      frames.push(diagnostic(m[1]!, m[2]!, m[3], m[4]!.trim(), trimmed));
    } else if (arrow) {
      frames.push(diagnostic(arrow[1]!, arrow[2]!, arrow[3], lastHeading, trimmed));
    } else if (stylish) {
      frames.push(diagnostic(stylishFile!, stylish[1]!, stylish[2], `${stylish[3]} ${stylish[4]!.replace(/\s{2,}(\S+)$/, ' ($1)')}`, `${stylishFile} ${trimmed}`));
    } else if (/^(?:[A-Za-z]:[\\/]|\/|\.{1,2}[\\/])\S.*\.\w+$/.test(trimmed) && trimmed === line) {
      stylishFile = trimmed;
    } else if (/^(?:error|warning)(?:\[\w+\])?: /.test(trimmed)) {
      lastHeading = trimmed;
    } else if (!trimmed) {
      stylishFile = undefined;
    }
  }
  const first = frames.find((f) => /\berror\b/i.test(f.message ?? '')) ?? frames[0];
  return { message: first?.message ?? '', frames, language: 'diagnostics', causes: [] };
}

function diagnostic(file: string, line: string, column: string | undefined, message: string, raw: string): StackFrame {
  return {
    file,
    line: Number(line),
    ...(column ? { column: Number(column) } : {}),
    ...(message ? { message } : {}),
    library: isLibraryPath(file),
    raw,
  };
}

// ---------------------------------------------------------------------------------------------------

/**
 * Paths of dependencies, standard libraries and toolchains, in any of the languages above, with either
 * separator. A miss costs little (the frame is still resolved against the workspace and usually not found
 * there); a false hit would hide user code, so the patterns name folders that tools own.
 */
export function isLibraryPath(file: string): boolean {
  const p = file.replace(/\\/g, '/');
  return (
    /(?:^|\/)node_modules\//.test(p) ||
    /(?:^|\/)(?:site-packages|dist-packages)\//.test(p) ||
    /\/lib(?:64)?\/python\d(?:\.\d+)?\//.test(p) ||
    /^[A-Za-z]:\/.*\/Lib\//.test(p) ||
    /\/pkg\/mod\//.test(p) ||
    /^\/usr\/(?:local\/go|lib\/go(?:lang|-[\d.]+)?)\//.test(p) ||
    /\bGOROOT\b/.test(p) ||
    /^\/rustc\/[0-9a-f]+\//.test(p) ||
    /\/\.cargo\/(?:registry|git)\//.test(p) ||
    /\/\.rustup\//.test(p) ||
    /(?:^|\/)(?:jdk|jre)[\w.-]*\//i.test(p)
  );
}

/** `file:///C:/x/a.js` → `C:/x/a.js`; `file:///home/a.js` → `/home/a.js`; anything else as is. */
function fromFileUrl(location: string): string {
  if (!location.startsWith('file://')) return location;
  let p = location.slice('file://'.length);
  try {
    p = decodeURIComponent(p);
  } catch {
    // A stray `%` in the path: keep it as printed.
  }
  return /^\/[A-Za-z]:[\\/]/.test(p) ? p.slice(1) : p;
}

/**
 * The error text printed just above the first frame: from the nearest line that looks like an error's
 * head (so a multi-line assertion message is kept whole) down to the frame; without one, the nearest
 * paragraph.
 */
function messageBefore(lines: readonly string[], frameIndex: number, head: RegExp): string {
  const floor = Math.max(0, frameIndex - 60);
  for (let i = frameIndex - 1; i >= floor; i--) {
    if (head.test(lines[i]!)) return lines.slice(i, frameIndex).join('\n').trim();
  }
  let end = frameIndex;
  while (end > 0 && !lines[end - 1]!.trim()) end--;
  let start = end;
  while (start > 0 && lines[start - 1]!.trim()) start--;
  return lines.slice(start, end).join('\n').trim();
}

function clip(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS)}…`;
}
