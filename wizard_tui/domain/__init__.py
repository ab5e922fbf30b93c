"""The domain: records, the queue store, guards, events, persistence, prompts and settings.

It imports nothing else of ours, so every layer above can use it and it can be tested alone.
"""
