"""Auth fixtures (users, tokens, authenticated clients); filled by the auth slice."""
