"""The one error the command line reports without a traceback: bad user input."""


class InputError(Exception):
    """Bad input from the user (a file, a column, an option value).

    ``skfit`` prints its message as one line on stderr and exits with
    status 2. The message says what was wrong and, where it can, how to fix
    it; it never spans several lines.
    """

    def __init__(self, message):
        super().__init__(" ".join(str(message).split()))
