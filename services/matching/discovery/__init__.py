"""Discovery: scan for people with compatibility scores, and compatibility with one person in detail."""
