"""Grouping quotes into statements: the pairwise judgement, languages, embeddings, page furniture."""
