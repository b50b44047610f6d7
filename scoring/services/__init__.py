"""Every write of the scoring domain, a module per concern.

- ``config``: the settings scoring reads (QWK bar, exemplar counts).
- ``outbox``: request scoring (the outbox row), sweep, fail and retry jobs.
- ``compiled``: frozen content and model artifacts compiled for the engine, cached per process.
- ``runs``: run one job exactly once and keep the review queue in step with the new run.
- ``rescoring``: ask for new runs after a rubric, model or engine change.
- ``replay``: recompute a stored run from its inputs and compare the bytes.
- ``erasure``: remove a candidate's words from what scoring keeps.
- ``training``: train, store, activate and deactivate text models.

Exactly-once: a job row is locked with ``select_for_update(skip_locked=True)`` and is a no-op
once done; a ScoreRun is one-to-one with its job (a unique constraint); runs of one attempt are
serialised by a transaction-scoped advisory lock, so each new run supersedes the one before it.
"""
