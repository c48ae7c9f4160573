import { describe, expect, it } from 'vitest';
import { deprecationLine, hostNodeRuntimeOf, LAMBDA_RUNTIMES, RUNTIME_TABLE, runtimeRefusal, runsInWorker, type NodeFunctionRuntime, type RuntimeFacts } from '../../common/lambda-runtimes.ts';

// The one runtime table: every Node.js and Python identifier Lambda has had since nodejs10.x and
// python3.6 is run (with its language and what it ships), every older or other one refused in
// one line; deprecated ones get their line from the dates on a fixed day.

const DAY = new Date('2026-11-26T00:00:00Z');

describe('the runtime table', () => {
  it('runs every runtime Lambda still invokes, each with what it ships', () => {
    const ships = Object.fromEntries(LAMBDA_RUNTIMES.map((r) => [r, `${RUNTIME_TABLE[r].language}:${RUNTIME_TABLE[r].ships}`]));
    expect(ships).toEqual({
      'nodejs10.x': 'node:aws-sdk-v2', 'nodejs12.x': 'node:aws-sdk-v2', 'nodejs14.x': 'node:aws-sdk-v2', 'nodejs16.x': 'node:aws-sdk-v2',
      'nodejs18.x': 'node:aws-sdk-v3', 'nodejs20.x': 'node:aws-sdk-v3', 'nodejs22.x': 'node:aws-sdk-v3', 'nodejs24.x': 'node:aws-sdk-v3',
      'python3.6': 'python:boto3', 'python3.7': 'python:boto3', 'python3.8': 'python:boto3', 'python3.9': 'python:boto3', 'python3.10': 'python:boto3',
      'python3.11': 'python:boto3', 'python3.12': 'python:boto3', 'python3.13': 'python:boto3', 'python3.14': 'python:boto3',
      provided: 'provided:nothing', 'provided.al2': 'provided:nothing', 'provided.al2023': 'provided:nothing', 'go1.x': 'go:nothing',
    });
    for (const r of LAMBDA_RUNTIMES) expect(runtimeRefusal(r), r).toBeUndefined();
  });

  it('runs Node.js runtimes older than 20 on Node 20, the others on their own Node', () => {
    const hosts = LAMBDA_RUNTIMES.filter(runsInWorker).map((r) => `${r}→${hostNodeRuntimeOf(r as NodeFunctionRuntime)}`);
    expect(hosts).toEqual(['nodejs10.x→nodejs20.x', 'nodejs12.x→nodejs20.x', 'nodejs14.x→nodejs20.x', 'nodejs16.x→nodejs20.x', 'nodejs18.x→nodejs20.x', 'nodejs20.x→nodejs20.x', 'nodejs22.x→nodejs22.x', 'nodejs24.x→nodejs24.x']);
  });

  it('says a deprecated runtime in one line, and nothing of one not deprecated on that day', () => {
    const deprecated = LAMBDA_RUNTIMES.filter((r) => deprecationLine(r, undefined, DAY) !== undefined);
    expect(deprecated).toEqual(['nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x', 'nodejs18.x', 'nodejs20.x', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'python3.10', 'provided', 'provided.al2', 'go1.x']);
    expect(deprecationLine('nodejs18.x', '20.20.2', DAY)).toBe(
      "nodejs18.x: deprecated by Lambda on 2025-09-01 (docs/aws-facts.md); Lambda still invokes existing functions but refuses new ones from 2027-02-01 and updates from 2027-03-03, when a fresh deploy of this template fails; here it runs on Node 20.20.2 in a worker thread, the oldest Node the emulator's worker code runs on, with the AWS SDK for JavaScript v3 it ships",
    );
    expect(deprecationLine('nodejs18.x', '20.20.2', new Date('2027-02-15T00:00:00Z'))).toContain('refuses new ones since 2027-02-01 and updates from 2027-03-03, so a fresh deploy of this template fails;');
    expect(deprecationLine('nodejs10.x', '20.20.2', DAY)).toContain('refuses new ones since 2021-07-30 and updates since 2022-02-14, so a fresh deploy of this template fails;');
    expect(deprecationLine('go1.x', undefined, DAY)).toBe(
      'go1.x: deprecated by Lambda on 2024-01-08 (docs/aws-facts.md); Lambda still invokes existing functions but refuses new ones from a date not recorded here and updates from 2027-03-03, so a fresh deploy of this template may fail; here it runs on its handler binary, through the Runtime API, as a custom runtime runs its bootstrap',
    );
  });

  it('holds its dates in order: deprecated, then creating blocked, then updating', () => {
    for (const r of LAMBDA_RUNTIMES) {
      const { deprecated, blockCreate, blockUpdate } = RUNTIME_TABLE[r] as RuntimeFacts;
      const dates = [deprecated, blockCreate, blockUpdate].filter((d) => d !== undefined);
      for (const d of dates) expect(d, r).toMatch(/^20\d\d-\d\d-\d\d$/);
      expect([...dates].sort(), r).toEqual(dates);
    }
  });

  it('refuses runtimes Lambda retired, Python 2 and other languages in one line', () => {
    const refusals = Object.fromEntries(['nodejs', 'nodejs4.3', 'nodejs6.10', 'nodejs8.10', 'python2.7', 'java21', 'dotnet8', 'ruby3.3', 'cobol1.0'].map((r) => [r, runtimeRefusal(r)!.split(':')[0]]));
    expect(refusals).toEqual({
      nodejs: 'nodejs is retired by Lambda (deprecation completed 2016-10-31; Lambda no longer invokes it)',
      'nodejs4.3': 'nodejs4.3 is retired by Lambda (deprecation completed 2020-03-06; Lambda no longer invokes it)',
      'nodejs6.10': 'nodejs6.10 is retired by Lambda (deprecation completed 2019-08-12; Lambda no longer invokes it)',
      'nodejs8.10': 'nodejs8.10 is retired by Lambda (deprecation completed 2020-03-06; Lambda no longer invokes it)',
      'python2.7': "python2.7 is Python 2, which the host's Python 3 does not run",
      java21: 'java21 is not run offline',
      dotnet8: 'dotnet8 is not run offline',
      'ruby3.3': 'ruby3.3 is not run offline',
      'cobol1.0': 'cobol1.0 is not a runtime the emulator runs (it runs nodejs10.x…nodejs24.x, python3.6…python3.14, provided, provided.al2, provided.al2023, go1.x)',
    });
  });
});
