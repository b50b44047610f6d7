"""HTTP plumbing every app's views may use: who the client is and how big a request may be.

Ground floor: imports no app, so credentials, compliance and the API can share it without
importing the project package `hiring`, which sits on top and imports them.
"""
