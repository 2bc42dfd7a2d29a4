"""Retrieval: corpus loading, Swedish analysis and BM25 search. Knows nothing of front ends."""
