"""sanctiongraph: a knowledge graph of sanctions, commodities and claims, built from annotated news sources."""

__version__ = "0.1.0"
