"""Staff accounts: roles and the one policy, passwords, two-factor codes, sessions, throttling,
invitations, e-mail and the audit log. No web framework here: `api/routes/staff/` is the web."""
