"""The backoffice's domain errors; views turn them into messages, commands into exit codes."""

from __future__ import annotations


class BackofficeError(Exception):
    message = "The operation could not be done."


class SettlementFileInvalid(BackofficeError):
    """The uploaded settlement file cannot be used; `problems` lists what is wrong, in order."""

    message = "The settlement file is not valid; nothing was saved."

    # The page shows the first problems only: a wrong file can have thousands.
    SHOWN = 20

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[: self.SHOWN]))
        self.problems = problems

    @property
    def first_problems(self) -> list[str]:
        return self.problems[: self.SHOWN]
