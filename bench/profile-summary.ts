import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Reads Chrome-format CPU profiles (`node --cpu-prof`, node:inspector) into self time by category and
// by function, over one time window, for bench/profile.ts.

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  /** Microseconds on the monotonic clock that process.hrtime also reads (CLOCK_MONOTONIC on Linux). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A span of the monotonic clock, in microseconds. */
export interface Window {
  fromUs: number;
  toUs: number;
}

export interface FunctionTime {
  functionName: string;
  where: string;
  category: string;
  ms: number;
}

export interface ProfileSummary {
  /** Time the profile covers inside the window (idle included), ms. */
  sampledMs: number;
  idleMs: number;
  /** Self time by category, ms, idle included. */
  categories: Record<string, number>;
  functions: FunctionTime[];
}

export const IDLE = '(idle)';
const SPECIAL = new Set([IDLE, '(garbage collector)', '(program)']);

/** Code with no script of its own; in a summary it is placed at its nearest JS caller. */
const kindOf = (f: CallFrame) =>
  f.url ? '(wasm)' : f.lineNumber >= 0 ? '(code built at run time)' : '(native)';
const NOT_JS_PREFIX = /^\((wasm|native|code built at run time)\)( from |$)/;

/** Microseconds now, on the clock profiles stamp their samples with. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Names the category of a call frame. Workflow bundles are split by the webpack module that holds
 * the frame, so the sandbox's time shows which library inside it spends it.
 */
export class Classifier {
  private readonly bundles = new Map<string, { starts: number[]; modules: string[]; end: number }>();
  private readonly sources = new Map<string, string[]>();

  constructor(
    private readonly root: string,
    bundleFiles: readonly string[],
  ) {
    for (const file of bundleFiles) this.bundles.set(path.resolve(file), moduleMap(file));
  }

  /** The category of a frame, and a readable place for it (file:line, 1-based). */
  classify(frame: CallFrame): { category: string; where: string } {
    const file = filePath(frame.url);
    const line = frame.lineNumber + 1;
    const bundle = this.bundles.get(file);
    if (bundle) {
      const module = moduleAt(bundle, frame.lineNumber);
      return {
        category: `workflow sandbox: ${module ? packageOf(module) : 'webpack runtime and entry'}`,
        where: `${path.basename(file)}:${line}${module ? ` (${module.replace(/^\.\//, '')})` : ''}`,
      };
    }
    // The SDK's own scripts run inside the sandbox context (vm.runInContext without a filename).
    if (frame.url.startsWith('evalmachine.'))
      return { category: 'workflow sandbox: SDK vm glue', where: frame.url };
    if (frame.url.startsWith('node:')) {
      const area = frame.url.replace(/^node:(internal\/)?/, '').split('/')[0]!;
      return { category: `node: ${area}`, where: `${frame.url}:${line}` };
    }
    const nm = file.lastIndexOf('/node_modules/');
    if (nm >= 0) {
      const rel = file.slice(nm + '/node_modules/'.length);
      return { category: packageOf(`./node_modules/${rel}`), where: `${rel}:${line}` };
    }
    if (file.startsWith(this.root + path.sep)) {
      const rel = path.relative(this.root, file);
      const folder = rel.includes(path.sep) ? `${rel.split(path.sep)[0]}/` : rel;
      // tsx compiles each file onto one line: the profile's position says nothing, the name does.
      const at = file.endsWith('.ts') ? this.declaredAt(file, frame.functionName) : line;
      return { category: `project: ${folder}`, where: at ? `${rel}:${at}` : rel };
    }
    return { category: `other: ${frame.url}`, where: `${frame.url}:${line}` };
  }

  /** The first line (1-based) that declares a function, method or arrow of that name. */
  private declaredAt(file: string, name: string): number | undefined {
    if (!/^[\w$]+$/.test(name)) return undefined;
    let lines = this.sources.get(file);
    if (!lines) {
      try {
        lines = readFileSync(file, 'utf8').split('\n');
      } catch {
        lines = [];
      }
      this.sources.set(file, lines);
    }
    const n = name.replace(/\$/g, '\\$');
    const declarations = [
      new RegExp(`\\bfunction\\s*\\*?\\s*${n}\\b`),
      new RegExp(`\\b${n}\\s*[:=]\\s*(async\\s+)?(function\\b|\\(|[\\w$]+\\s*=>)`),
      new RegExp(
        `^\\s*((public|private|protected|static|async|readonly|override|get|set)\\s+)*${n}\\s*(<[^>]*>)?\\([^;]*$`,
      ),
    ];
    for (const re of declarations) {
      const i = lines.findIndex((l) => re.test(l));
      if (i >= 0) return i + 1;
    }
    return undefined;
  }
}

function filePath(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

/** `./node_modules/@scope/pkg/...` → `@scope/pkg`; project code → its top folder. */
function packageOf(modulePath: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(modulePath);
  if (!m) return `${modulePath.replace(/^\.\//, '').split('/')[0]}/`;
  const pkg = m[1]!;
  // One line for the tracing stack and one for the TypeScript loader: their parts are not separate costs.
  if (pkg.startsWith('@opentelemetry/')) return '@opentelemetry/*';
  if (pkg === 'tsx' || pkg.startsWith('@esbuild/') || pkg === 'esbuild' || pkg === 'get-tsconfig')
    return 'tsx/esbuild';
  return pkg;
}

/** Where each webpack module of a bundle starts (0-based lines), from its `/***\/ "path"` markers. */
function moduleMap(file: string) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const starts: number[] = [];
  const modules: string[] = [];
  let end = lines.length;
  lines.forEach((l, i) => {
    const m = /^\/\*\*\*\/ "(.+)"/.exec(l);
    if (m) {
      starts.push(i);
      modules.push(m[1]!);
    } else if (starts.length && end === lines.length && l.startsWith('/******/ \t});')) end = i;
  });
  return { starts, modules, end };
}

function moduleAt(b: { starts: number[]; modules: string[]; end: number }, line: number): string | undefined {
  if (line >= b.end || !b.starts.length || line < b.starts[0]!) return undefined;
  let lo = 0;
  let hi = b.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (b.starts[mid]! <= line) lo = mid;
    else hi = mid - 1;
  }
  return b.modules[lo];
}

/**
 * Self time by category and by function over `window`. A frame without a script (a V8 builtin such
 * as JSON.parse, a native binding) is charged to the category of its nearest caller that has one:
 * the caller chose to spend that time.
 */
export function summarise(profile: CpuProfile, window: Window, classifier: Classifier): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, { category: string; where: string }>();
  const place = (id: number): { category: string; where: string } => {
    const hit = memo.get(id);
    if (hit) return hit;
    const frame = byId.get(id)!.callFrame;
    let out: { category: string; where: string };
    if (SPECIAL.has(frame.functionName)) out = { category: frame.functionName, where: '' };
    else if (frame.functionName === '(root)') out = { category: '(program)', where: '' };
    else if (frame.url && !frame.url.startsWith('wasm://')) out = classifier.classify(frame);
    else {
      const up = parent.get(id);
      const caller = up === undefined ? undefined : place(up);
      const from = caller?.where.replace(NOT_JS_PREFIX, '');
      out = {
        category: caller && !SPECIAL.has(caller.category) ? caller.category : '(native, no JS caller)',
        where: `${kindOf(frame)}${from ? ` from ${from}` : ''}`,
      };
    }
    memo.set(id, out);
    return out;
  };

  const categories: Record<string, number> = {};
  const functions = new Map<string, FunctionTime>();
  let t = profile.startTime;
  let sampledUs = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i]!;
    const next = i + 1 < profile.samples.length ? t + profile.timeDeltas[i + 1]! : profile.endTime;
    const us = Math.max(0, Math.min(next, window.toUs) - Math.max(t, window.fromUs));
    if (us === 0) return;
    sampledUs += us;
    const { category, where } = place(id);
    categories[category] = (categories[category] ?? 0) + us / 1000;
    if (SPECIAL.has(category)) return;
    const name = byId.get(id)!.callFrame.functionName || '(anonymous)';
    const key = `${name}\0${where}`;
    const f = functions.get(key) ?? { functionName: name, where, category, ms: 0 };
    f.ms += us / 1000;
    functions.set(key, f);
  });
  return {
    sampledMs: sampledUs / 1000,
    idleMs: categories[IDLE] ?? 0,
    categories,
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms),
  };
}

/** Several threads' summaries as one (categories and functions added up). */
export function merge(summaries: readonly ProfileSummary[]): ProfileSummary {
  const categories: Record<string, number> = {};
  const functions = new Map<string, FunctionTime>();
  for (const s of summaries) {
    for (const [c, ms] of Object.entries(s.categories)) categories[c] = (categories[c] ?? 0) + ms;
    for (const f of s.functions) {
      const key = `${f.functionName}\0${f.where}`;
      const prev = functions.get(key);
      functions.set(key, prev ? { ...prev, ms: prev.ms + f.ms } : { ...f });
    }
  }
  return {
    sampledMs: summaries.reduce((n, s) => n + s.sampledMs, 0),
    idleMs: summaries.reduce((n, s) => n + s.idleMs, 0),
    categories,
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms),
  };
}

/** Non-idle time of a summary, ms. */
export const busyMs = (s: ProfileSummary) => s.sampledMs - s.idleMs;

/** A summary with its non-idle times multiplied by `f` (sampled time to estimated CPU). */
export function scaled(s: ProfileSummary, f: number): ProfileSummary {
  const categories = Object.fromEntries(
    Object.entries(s.categories).map(([c, ms]) => [c, c === IDLE ? ms : ms * f]),
  );
  return {
    sampledMs: s.idleMs + busyMs(s) * f,
    idleMs: s.idleMs,
    categories,
    functions: s.functions.map((fn) => ({ ...fn, ms: fn.ms * f })),
  };
}
