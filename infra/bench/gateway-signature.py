#!/usr/bin/env python3
"""Prints an X-Gateway-Signature header value for a request sent now to a service instance directly, as the
gateway signs what it forwards (common/.../GatewayIdentity.java): t=<unix seconds>;s=<base64url HMAC-SHA256 of
"catalog-suite-gateway:<seconds>" under GATEWAY_SECRET>. It is accepted for 60 s, so sign again for every wrk
round. The secret comes from GATEWAY_SECRET, else from ./suite's .suite/gateway-secret; it is never printed."""
import base64, hashlib, hmac, os, pathlib, sys, time

secret = os.environ.get("GATEWAY_SECRET")
if not secret:
    file = pathlib.Path(__file__).resolve().parents[2] / ".suite" / "gateway-secret"
    if not file.exists():
        sys.exit("gateway-signature: set GATEWAY_SECRET, or start the suite with ./suite up")
    secret = file.read_text().strip()
now = int(time.time())
digest = hmac.new(secret.encode(), f"catalog-suite-gateway:{now}".encode(), hashlib.sha256).digest()
print(f"t={now};s={base64.urlsafe_b64encode(digest).decode().rstrip('=')}")
