"""The test provider's claims: each user's, as the test wrote them in the spec `serve.py` was started with."""

from __future__ import annotations

import json
import os
from pathlib import Path

from oauth2_provider.oauth2_validators import OAuth2Validator


def spec_claims(username: str) -> dict:
    spec = json.loads(Path(os.environ["PROVIDER_SPEC_FILE"]).read_text())
    return dict(spec["users"][username]["claims"])


class ClaimsValidator(OAuth2Validator):
    # Every claim the spec gives goes out whatever the scopes (a real provider maps groups to a scope of its own).
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        return spec_claims(request.user.username)
