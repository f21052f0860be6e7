"""Every write goes through a function here (STYLE.md, Services): one per use case, each in
one transaction that locks what it changes, checks the policy on the locked rows, saves
with history and appends the audit event."""
