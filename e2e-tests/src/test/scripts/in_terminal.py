"""Runs a command on a pseudo-terminal of its own, as an operator's terminal would, for the launcher tests.

    /usr/bin/python3 in_terminal.py COMMAND [ARG...]

What the command writes to the terminal is copied to standard output; bytes read on standard input are typed on
the terminal's keyboard, so a 0x03 byte is Ctrl-C: the terminal driver turns it into SIGINT for the whole foreground
process group, exactly as a user pressing Ctrl-C does. Exits with the command's exit status.
"""
import os
import pty
import select
import signal
import sys

pid, terminal = pty.fork()
if pid == 0:
    # A shell in a terminal starts with Ctrl-C's and Ctrl-\'s signals at their defaults. This script may itself have
    # been started with them ignored (from a background job: `mvn ... &` makes SIGINT ignored, and an ignored signal
    # is inherited and cannot be trapped by a shell), which made the Ctrl-C test fail for the way it was launched.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    os.execvp(sys.argv[1], sys.argv[1:])

inputs = [terminal, sys.stdin.fileno()]
while terminal in inputs:
    ready, _, _ = select.select(inputs, [], [])
    if terminal in ready:
        try:
            data = os.read(terminal, 4096)
        except OSError:  # EIO: every process holding the terminal has closed it
            data = b""
        if data:
            os.write(sys.stdout.fileno(), data)
        else:
            inputs.remove(terminal)
    if sys.stdin.fileno() in ready:
        typed = os.read(sys.stdin.fileno(), 1024)
        if typed:
            os.write(terminal, typed)
        else:
            inputs.remove(sys.stdin.fileno())

_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
