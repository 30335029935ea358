"""The services directory: an Open Referral UK (HSDS 3.0, UK profile 3.0) compatible directory of
support for young people, with curated data, a fast typo-tolerant search, import and export.

Nothing happens at import time: engines, sessions and the spaCy pipeline are created on demand.
"""
