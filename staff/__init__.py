"""Staff accounts: a second factor (a TOTP authenticator app) on top of the password.

Password lockout is django-axes' (see the staff accounts part of hiring/settings.py); failed
sign-ins of either factor are recorded in the audit chain (compliance.signals).
"""
