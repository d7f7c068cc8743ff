"""Placeholder replaced by the auth slice."""
def bearer_token(): return None
def token_tenant_hint(token): return None
def authenticate(token): return None
def forget(token): return None
