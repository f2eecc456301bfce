"""stancegraph: an actor-stance knowledge graph for international politics.

The package is named ``graph``; its public API lives in submodules (``graph.build``,
``graph.store.query``, ``graph.analysis.project``, ``graph.algorithms``...) so that importing
it stays cheap.
"""

__version__ = "0.1.0"
