"""People and access: accounts, passwords, sessions, API tokens, single sign-on, throttling."""
