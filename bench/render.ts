import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeReportMarkdown, type BenchReport } from './report';

// Re-renders REPORT.md from report.json (after a change to the wording, without a new run).
const dir = process.argv[2] ?? __dirname;
const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as BenchReport;
void writeReportMarkdown(path.join(dir, 'REPORT.md'), report).then(() =>
  console.log(`wrote ${path.join(dir, 'REPORT.md')}`),
);
