"""A child's output reaches its log file and the echo whole-line by line, however the child's writes split it."""
from __future__ import annotations

import io

from devstack.processes import Child, python

# A line split across two writes, a line of non-ASCII text, and a last line without its newline.
CHILD = ("import sys, time\n"
         "out = sys.stdout.buffer\n"
         "out.write(b'first\\nsec'); out.flush(); time.sleep(0.1)\n"
         "out.write('ond\\n\\u00fcber\\n'.encode()); out.flush()\n"
         "out.write(b'last')\n")


def test_output_is_copied_as_whole_lines_to_the_log_file_and_the_echo(tmp_path):
    echo = io.StringIO()
    child = Child("svc", [python(), "-c", CHILD], log_file=tmp_path / "svc.log", echo=echo).start()
    assert child.proc is not None
    assert child.proc.wait(10) == 0
    child.stop()  # waits for the copy to finish
    assert (tmp_path / "svc.log").read_bytes() == "first\nsecond\nüber\nlast\n".encode()
    assert echo.getvalue() == "svc      | first\nsvc      | second\nsvc      | über\nsvc      | last\n"
