// A strict reader of the Prometheus text exposition format (0.0.4), for tests: every
// line must be a HELP, a TYPE, another comment, blank, or a well-formed sample whose
// family was declared by a TYPE line before it. Throws naming the line otherwise.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string | undefined;
  type: MetricType;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
// Go's ParseFloat (what Prometheus reads values with) takes NaN and Inf in any case; prom-client writes `Nan`.
const VALUE =
  '(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)|[+-]?[iI][nN][fF]|[nN][aA][nN])';
const SAMPLE_RE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL}=${LABEL_VALUE})(?:,${LABEL}=${LABEL_VALUE})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`,
);
const PAIR_RE = new RegExp(`(${LABEL})=(${LABEL_VALUE})`, 'g');
const HELP_RE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_RE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

const SUFFIXES: Record<MetricType, string[]> = {
  counter: ['', '_total'],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function labelValue(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(text: string): number {
  if (/^[+-]?inf$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  return Number(text);
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const help = HELP_RE.exec(line);
      if (help) {
        helps.set(help[1]!, help[2]!);
        continue;
      }
      const type = TYPE_RE.exec(line);
      if (type) {
        if (families.has(type[1]!)) throw new Error(`second TYPE for ${type[1]} at ${where}`);
        families.set(type[1]!, { name: type[1]!, help: undefined, type: type[2] as MetricType, samples: [] });
        continue;
      }
      if (/^# (HELP|TYPE)\b/.test(line)) throw new Error(`malformed ${where}`);
      continue;
    }
    const match = SAMPLE_RE.exec(line);
    if (!match) throw new Error(`not a sample, ${where}`);
    const name = match[1]!;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(PAIR_RE)) labels[pair[1]!] = labelValue(pair[2]!);
    const family = [...families.values()].find((f) =>
      SUFFIXES[f.type].some((suffix) => `${f.name}${suffix}` === name),
    );
    if (!family) throw new Error(`sample ${name} has no TYPE line before it, ${where}`);
    if (family.type === 'histogram' && name.endsWith('_bucket') && labels['le'] === undefined) {
      throw new Error(`histogram bucket without le, ${where}`);
    }
    family.samples.push({ name, labels, value: parseValue(match[3]!) });
  }
  for (const family of families.values()) family.help = helps.get(family.name);
  return families;
}

/** The value of one sample, matching every label given; undefined when absent. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
