"""The annotation assistant: from a raw article to a draft annotation for an analyst to review.

It finds the mechanical part (entity mentions, figures, times, reported speech, sanction, trade and causal cues)
with rule-based library components (spaCy's blank English pipeline, dateparser, quantulum3, rapidfuzz) and writes
drafts, each marked `draft:` and carrying evidence quotes that verify against the text (`assistant.annotate`)."""
