"""Index: chunks → vectors (FAISS) + keyword index (bm25s) in a library directory on disk."""
