"""The curriculum: content files parsed into plain, framework-free data."""
