import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findingsFrom } from './findings';
import { writeReportMarkdown } from './report';
import { type BenchReport } from './report-types';

// Re-renders REPORT.md from report.json (after a change to the wording, without a new run); the
// findings are drawn again too, so a change to their wording shows as well.
const dir = process.argv[2] ?? __dirname;
const measured = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as BenchReport;
const report = { ...measured, findings: findingsFrom(measured) };
void writeReportMarkdown(path.join(dir, 'REPORT.md'), report).then(() =>
  console.log(`wrote ${path.join(dir, 'REPORT.md')}`),
);
