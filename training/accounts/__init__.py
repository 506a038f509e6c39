"""Accounts, roles, cohorts and sign-in sessions."""
