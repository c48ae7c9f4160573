import { describe, expect, it } from 'vitest';
import { consoleSummary } from '../../src/report/run/console.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { judged } from '../../src/verdict/judged.ts';
import { quietResults } from '../verdict/quiet-results.ts';

/**
 * The resources of a template the emulator read but does not run (what `stack up` lists as "not
 * emulated" at start, in stack.log) are the run's facts too: one line on the console, each on the
 * page and in summary.md, kept in results.json (config.target.notEmulatedResources).
 */
describe("the template's resources the emulator does not run, on every page", () => {
  it('one console line (the first three, then how many more), every one in summary.md and index.html', () => {
    const r = quietResults();
    r.config.target.notEmulatedResources = [
      { logicalId: 'JwtSecret', type: 'AWS::SecretsManager::Secret' },
      { logicalId: 'Orders', type: 'AWS::Kinesis::Stream' },
      { logicalId: 'Media', type: 'AWS::S3::Bucket' },
      { logicalId: 'Pool', type: 'AWS::Cognito::UserPool' },
    ];
    const j = judged(r);
    expect(consoleSummary(j, 'results.json', 400).split('\n')).toContain(
      '  not emulated 4 resources of the template: JwtSecret (AWS::SecretsManager::Secret), Orders (AWS::Kinesis::Stream), Media (AWS::S3::Bucket), … 1 more (each in summary.md and the report)',
    );
    expect(renderSummaryMarkdown(j)).toContain('### Resources not emulated\n\nResources of the template the emulator read but does not run:\n\n- JwtSecret (AWS::SecretsManager::Secret)\n- Orders (AWS::Kinesis::Stream)\n- Media (AWS::S3::Bucket)\n- Pool (AWS::Cognito::UserPool)\n');
    expect(renderHtml(j)).toContain('Media (AWS::S3::Bucket)<br>Pool (AWS::Cognito::UserPool)');
  });
});
