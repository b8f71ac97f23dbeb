"""`python -m tests.oidc_provider.serve SPEC.json`: start the test OpenID Connect provider on a free loopback port.

SPEC.json: `{"users": {username: {"password", "claims": {...}}}, "clients": [{"client_id", "client_secret",
"redirect_uris"}]}`. A fresh RSA key signs its ID tokens and a fresh SQLite file holds its users and tokens; both
live in a temporary folder. Prints `listening http://127.0.0.1:PORT` once it answers, then serves until killed.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # one line per request on stderr only when asked
        if os.environ.get("PROVIDER_VERBOSE"):
            super().log_message(format, *args)


def main(spec_path: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = folder / "rsa.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "PROVIDER_DATABASE": str(folder / "provider.sqlite3"),
            "PROVIDER_RSA_KEY_FILE": str(key_file),
            "PROVIDER_SPEC_FILE": str(Path(spec_path).resolve()),
            "PROVIDER_SECRET_KEY": secrets.token_urlsafe(50),
        }
    )
    # Imported only now: Django reads the settings module named above.
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    spec = json.loads(Path(spec_path).read_text())
    for username, user in spec["users"].items():
        User.objects.create_user(username, password=user["password"])
    for client in spec["clients"]:
        Application.objects.create(
            name=client["client_id"],
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=client["redirect_uris"],
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )
    print(f"listening http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
