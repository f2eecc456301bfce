"""Readers, one per input format: each turns a file into claim triples in the vocabulary."""
