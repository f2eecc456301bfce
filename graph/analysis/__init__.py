"""The analysis wing: from the store to data frames (:mod:`graph.analysis.project`) and to the
results the CLI, the server and the notebooks show (:mod:`graph.analysis.run`).

The run functions are re-exported here so that ``from graph.analysis import run_gaps`` keeps
working.
"""

from graph.analysis.run import actor_profile, gap_rows, run_balance, run_clusters, run_gaps

__all__ = ["actor_profile", "gap_rows", "run_balance", "run_clusters", "run_gaps"]
