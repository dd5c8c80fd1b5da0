"""User-facing errors: one line naming the file and the problem; the CLI exits with code 2."""


class PipelineError(Exception):
    """A problem with user input (a file, a flag). Its message is printed as one line."""

    def __init__(self, path, problem: str):
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)
