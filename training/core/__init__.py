"""Cross-cutting web concerns: home redirect, language, errors and security headers."""
