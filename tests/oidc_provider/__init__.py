"""A real OpenID Connect provider for the single sign-on tests: django-oauth-toolkit in OIDC mode, in its own tiny
Django project (own settings, SQLite in a temporary folder, an RSA key made at start), run in a second process on
loopback by `serve.py`. Nothing here is imported by interviewloop itself."""
