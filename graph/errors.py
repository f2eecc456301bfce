"""The few exceptions the library raises; the CLI turns each into one ``Error: ...`` line."""


class StanceGraphError(Exception):
    """Base class: something the user can fix."""


class ValidationError(StanceGraphError):
    """Input data does not match the vocabulary; ``problems`` lists one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the input; nothing was written"
        super().__init__(head + "\n" + "\n".join(self.problems))


class InputError(StanceGraphError):
    """A file could not be read or parsed."""


class QueryError(StanceGraphError):
    """A SPARQL query is malformed or not allowed."""


class UpdateRefused(QueryError):
    """A SPARQL update was sent where the graph is read-only."""


class StoreError(StanceGraphError):
    """A store URI is unknown, or the store cannot be opened."""
