"""The ``stripe-handshake`` console script (``pipx run stripe-handshake``, or
``python -m stripe_handshake``): the same code as the Rust binary, run by the extension."""

import sys
from typing import List, Optional

from . import _native


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    for a in args:
        try:
            a.encode("utf-8")
        except UnicodeEncodeError:
            print("error: an argument is not valid UTF-8: pass paths and values as UTF-8", file=sys.stderr)
            return 2
    # The extension writes to the file descriptors directly: what Python buffered goes first.
    sys.stdout.flush()
    sys.stderr.flush()
    return _native.run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
