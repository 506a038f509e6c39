"""Simulated buyers: scenario files, the reply matchers, scoring and the conversation engine."""
