import { describe, expect, it } from 'vitest';
import { CTRL_C, PtyProcess } from '../../support/pty.js';

describe('PtyProcess', () => {
  it('runs a command on a terminal of the given size, in the given environment, and types to it', async () => {
    const shell = new PtyProcess(
      'bash',
      ['-c', 'test -t 1 && echo "a tty, $(tput cols) columns, $GREETING"; read -r line; echo "got $line"'],
      { cols: 123, env: { ...process.env, GREETING: 'hello' } },
    );
    await shell.waitFor(/a tty, 123 columns, hello/);
    shell.write('typed\r');
    await shell.waitFor(/got typed/);
    expect(await shell.exitCode()).toBe(0);
    expect(shell.output).toContain('\r\n'); // what a terminal shows, line ends included
  });

  it('signals the whole foreground process group on Ctrl-C, as a terminal does', async () => {
    // The shell waits for its child; both get SIGINT, so the shell ends by it too.
    const shell = new PtyProcess('bash', ['-c', 'echo ready; sleep 30; echo not reached']);
    await shell.waitFor(/ready/);
    shell.write(CTRL_C);
    expect(await shell.exitCode()).toBe(130);
    expect(shell.output).not.toContain('not reached');
  });

  it('hangs up a command that is still running when closed', async () => {
    const shell = new PtyProcess('bash', ['-c', 'echo started; sleep 30']);
    await shell.waitFor(/started/);
    await shell.close();
    expect(await shell.exitCode()).toBe(129);
  });
});
