"""The app-agnostic embeddings store: encoders, the storage seam with its two backends (local
FAISS + SQLite, PostgreSQL + pgvector), keyword terms and score fusion. It knows nothing of
news or of qabot, and never imports it."""
