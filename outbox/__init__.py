"""The ground floor for background work: one abstract outbox row, one sweeper, one retry policy.

Imports no domain app. Every kind of job (scoring, issuance, email, webhooks, imports) is a
concrete subclass of ``OutboxJob`` in its own app; the sweeper finds them by walking the models.
"""
