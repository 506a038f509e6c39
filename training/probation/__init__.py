"""The probation gate: the policy in content/probation.yaml, readiness rules and typing test."""
