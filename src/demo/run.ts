// `alter demo`: runs the story, prints one ✓/✗ line per step, and cleans up whatever happens —
// including Ctrl-C (SIGINT) and SIGTERM, after which no process or temporary directory is left.
import { DemoSession } from './session.js';
import { storySteps } from './story.js';

export async function runDemo(write: (text: string) => void): Promise<boolean> {
  const session = new DemoSession(write);
  const interrupted = (signal: NodeJS.Signals) => () => {
    write(`\n${signal}: stopping the demo and cleaning up\n`);
    void session.cleanup().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const onInt = interrupted('SIGINT');
  const onTerm = interrupted('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);

  const started = Date.now();
  const results: Array<{ title: string; outcome: 'ok' | 'failed' | 'not run'; reason?: string }> = [];
  try {
    session.say(`alter quickstart: a server on a fresh embedded store, a local OpenID Provider, and the real CLI.\nWorkspace: ${session.dir}`);
    let failed = false;
    for (const step of storySteps(session)) {
      if (failed) {
        results.push({ title: step.title, outcome: 'not run' });
        continue;
      }
      try {
        await step.run();
        results.push({ title: step.title, outcome: 'ok' });
      } catch (err) {
        failed = true;
        results.push({ title: step.title, outcome: 'failed', reason: (err as Error).message });
      }
    }
  } finally {
    await session.cleanup();
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
  }

  session.say(`\n${'─'.repeat(72)}`);
  for (const r of results) {
    const mark = r.outcome === 'ok' ? '✓' : '✗';
    session.say(`${mark} ${r.title}${r.outcome === 'failed' ? ` — ${r.reason}` : r.outcome === 'not run' ? ' — not run' : ''}`);
  }
  const ok = results.every((r) => r.outcome === 'ok');
  session.say(`\n${ok ? 'Every step did what it should' : 'The demo stopped at a failing step'} (${((Date.now() - started) / 1000).toFixed(1)} s); processes stopped, workspace removed.`);
  return ok;
}
