"""Encoders: text to normalised vectors. ``SentenceEncoder`` runs a sentence-transformers model
on torch, and on OpenVINO for large batches and single questions; batching and token counts
are shared by both runtimes."""
